package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** 16-bit samples (linear16 renders) survive the encoder exactly, as an independent decoder reads them. */
class PngEncoder16BitTest {
  @Test
  void sixteenBitRgbDecodesToTheSamplesWritten() throws Exception {
    int w = 37;
    int h = 5;
    byte[] rows = new byte[w * h * 6];
    for (int i = 0; i < w * h * 3; i++) {
      int v = (i * 2654435761L % 65536 > 0 ? (int) (i * 2654435761L % 65536) : 0);
      rows[2 * i] = (byte) (v >>> 8);
      rows[2 * i + 1] = (byte) v;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, w, h, 3, 16, 6);
    png.writeRows(rows, 0, h);
    png.finish();
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
    Raster r = img.getRaster();
    assertEquals(16, img.getColorModel().getComponentSize(0));
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          int i = 2 * (3 * (y * w + x) + c);
          int expected = ((rows[i] & 0xff) << 8) | (rows[i + 1] & 0xff);
          assertEquals(expected, r.getSample(x, y, c), "pixel " + x + "," + y + " channel " + c);
        }
      }
    }
  }
}
