package dev.tilefarm.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Decompression bombs for tests: small, valid files that decode to huge images. */
public final class Bombs {
  private Bombs() {}

  /**
   * A valid 8-bit greyscale PNG of {@code width x height} black pixels, built row by row so that the test never
   * holds the pixels: 20000 x 20000 is about 400 KB of file and 400 MB of pixels (1.2 GB as RGB, 4.8 GB as float
   * texels).
   */
  public static byte[] png(int width, int height) {
    try {
      ByteArrayOutputStream idat = new ByteArrayOutputStream();
      Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
      try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
        byte[] row = new byte[width + 1]; // filter byte 0, then the row's zeros
        for (int y = 0; y < height; y++) {
          z.write(row);
        }
      }
      deflater.end();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
      DataOutputStream h = new DataOutputStream(ihdr);
      h.writeInt(width);
      h.writeInt(height);
      h.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit, greyscale, deflate, adaptive filtering, no interlace
      chunk(out, "IHDR", ihdr.toByteArray());
      chunk(out, "IDAT", idat.toByteArray());
      chunk(out, "IEND", new byte[0]);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(data.length);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    d.write(t);
    d.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    d.writeInt((int) crc.getValue());
  }
}
