package dev.tilefarm.store;

/**
 * The size a WebP file declares in its header (RIFF container, then a lossy VP8, lossless VP8L or extended VP8X
 * chunk), read by hand because ImageIO has no WebP reader: the splitter and the workers both check an image's
 * size before anything decodes it.
 */
public final class WebpHeader {
  /** The first bytes that hold the size. */
  public static final int LENGTH = 30;

  private WebpHeader() {}

  /**
   * {@code {width, height}} from the first {@link #LENGTH} bytes of {@code h}, or null if they do not start a
   * WebP file.
   *
   * @throws IllegalArgumentException for a WebP file whose header is corrupt or of a kind not read, naming why
   */
  public static int[] size(byte[] h) {
    if (h.length < LENGTH || !ascii(h, 0, "RIFF") || !ascii(h, 8, "WEBP")) {
      return null;
    }
    if (ascii(h, 12, "VP8 ")) {
      // Lossy: a key frame's start code 9d 01 2a, then 14-bit width and height.
      if ((h[23] & 0xFF) != 0x9d || (h[24] & 0xFF) != 0x01 || (h[25] & 0xFF) != 0x2a) {
        throw new IllegalArgumentException("is a corrupt WebP image: no VP8 key frame");
      }
      return new int[] {le16(h, 26) & 0x3FFF, le16(h, 28) & 0x3FFF};
    } else if (ascii(h, 12, "VP8L")) {
      if ((h[20] & 0xFF) != 0x2f) {
        throw new IllegalArgumentException("is a corrupt WebP image: bad VP8L signature");
      }
      int bits = (h[21] & 0xFF) | (h[22] & 0xFF) << 8 | (h[23] & 0xFF) << 16 | (h[24] & 0xFF) << 24;
      return new int[] {(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
    } else if (ascii(h, 12, "VP8X")) {
      return new int[] {le24(h, 24) + 1, le24(h, 27) + 1};
    }
    throw new IllegalArgumentException("is a WebP image of a kind the farm does not read");
  }

  private static boolean ascii(byte[] b, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (b[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int le16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static int le24(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16;
  }
}
