package dev.tilefarm.worker.ops;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The size an encoded image declares in its header, read without decoding its pixels (ImageIO's readers for
 * PNG, JPEG, TIFF and BMP; the WebP header by hand, as the splitter reads it), so that a small file declaring a
 * huge image is refused before a decoder allocates for it.
 */
final class ImageHeader {
  record Size(int width, int height) {
    long pixels() {
      return (long) width * height;
    }
  }

  private ImageHeader() {}

  /** The declared size, or null if the bytes start no image in a format the farm reads. */
  static Size read(byte[] bytes) {
    Size webp = webp(bytes);
    if (webp != null) {
      return webp;
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return null;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new Size(reader.getWidth(0), reader.getHeight(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Size webp(byte[] h) {
    if (h.length < 30 || !ascii(h, 0, "RIFF") || !ascii(h, 8, "WEBP")) {
      return null;
    }
    if (ascii(h, 12, "VP8 ")) {
      return new Size(le16(h, 26) & 0x3FFF, le16(h, 28) & 0x3FFF);
    } else if (ascii(h, 12, "VP8L")) {
      int bits = (h[21] & 0xFF) | (h[22] & 0xFF) << 8 | (h[23] & 0xFF) << 16 | (h[24] & 0xFF) << 24;
      return new Size((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    } else if (ascii(h, 12, "VP8X")) {
      return new Size(le24(h, 24) + 1, le24(h, 27) + 1);
    }
    return null;
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
