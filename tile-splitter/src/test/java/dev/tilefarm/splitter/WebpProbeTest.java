package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** WebP headers, which ImageIO cannot read, give the image size to the splitter's limit check. */
class WebpProbeTest {
  private static byte[] hex(String h) {
    byte[] b = HexFormat.of().parseHex(h.replace(" ", ""));
    byte[] out = new byte[Math.max(30, b.length)];
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  @Test
  void readsTheSizeOfLossyLosslessAndExtendedWebp() {
    // RIFF size WEBP "VP8 " size, frame tag (3 bytes), 9d 01 2a, width 640, height 400
    assertEquals(new ImageProbe.Size(640, 400), StoredImageProbe.webp(hex(
        "52494646 00000000 57454250 56503820 00000000 000000 9d012a 8002 9001")));
    // "VP8L" size, 2f, 14-bit width-1 = 99, 14-bit height-1 = 49
    int bits = 99 | 49 << 14;
    assertEquals(new ImageProbe.Size(100, 50), StoredImageProbe.webp(hex(String.format(
        "52494646 00000000 57454250 5650384c 00000000 2f %02x%02x%02x%02x", bits & 0xFF, bits >> 8 & 0xFF,
        bits >> 16 & 0xFF, bits >> 24 & 0xFF))));
    // "VP8X" size, flags + reserved (4 bytes), 24-bit width-1 = 1023, height-1 = 767
    assertEquals(new ImageProbe.Size(1024, 768), StoredImageProbe.webp(hex(
        "52494646 00000000 57454250 56503858 0a000000 00000000 ff0300 ff0200")));
  }

  @Test
  void otherFilesAreNotWebpAndBrokenWebpIsCorrupt() {
    assertNull(StoredImageProbe.webp(hex("89504e47 0d0a1a0a")));
    assertThrows(ImageProbe.NotAnImageException.class, () -> StoredImageProbe.webp(hex(
        "52494646 00000000 57454250 56503820 00000000 000000 000000 8002 9001")));
  }
}
