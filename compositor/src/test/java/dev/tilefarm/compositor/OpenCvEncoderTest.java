package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.testing.OutsideReaders;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TIFF and WebP files hold exactly the samples written: TIFFs as libtiff's tiffinfo describes them and the JDK's
 * own TIFF reader reads them (after tiffcp undoes the compression), lossless WebPs as libwebp's webpinfo and dwebp
 * see them.
 */
class OpenCvEncoderTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}x{1}, {2} channels, {3} bits")
  @CsvSource({"37,23,3,16", "37,23,3,8", "20,9,1,16", "20,9,4,8", "19,5,4,16"})
  void tiffHoldsEverySampleWritten(int width, int height, int channels, int bits) throws Exception {
    int[] samples = pattern(width * height * channels, bits == 16 ? 65535 : 255);
    Path file = encode(ImageFormat.TIFF, width, height, channels, bits, samples);

    String info = OutsideReaders.run("libtiff-tools", "tiffinfo", file.toString());
    assertTrue(info.contains("Image Width: " + width + " Image Length: " + height), info);
    assertTrue(info.contains("Bits/Sample: " + bits), info);
    assertTrue(info.contains("Compression Scheme: AdobeDeflate"), info);
    assertTrue(info.contains("Samples/Pixel: " + channels), info);

    // libtiff (tiffcp) undoes the compression and predictor; the JDK's TIFF reader reads the plain copy.
    Path plain = dir.resolve("plain.tif");
    OutsideReaders.run("libtiff-tools", "tiffcp", "-c", "none", file.toString(), plain.toString());
    BufferedImage image = ImageIO.read(plain.toFile());
    Raster raster = image.getRaster();
    assertEquals(bits, raster.getSampleModel().getSampleSize(0));
    int[] got = raster.getPixels(0, 0, width, height, (int[]) null);
    assertEquals(samples.length, got.length);
    for (int i = 0; i < samples.length; i++) {
      assertEquals(samples[i], got[i], "sample " + i);
    }
  }

  @ParameterizedTest(name = "{0}x{1}, {2} channels")
  @CsvSource({"37,23,3", "20,9,4", "33,7,1"})
  void webpIsLosslessAndHoldsEveryPixelWritten(int width, int height, int channels) throws Exception {
    int[] samples = pattern(width * height * channels, 255);
    Path file = encode(ImageFormat.WEBP, width, height, channels, 8, samples);

    String info = OutsideReaders.run("webp", "webpinfo", file.toString());
    assertTrue(info.contains("Format: Lossless"), info);
    assertTrue(info.contains("Width: " + width) && info.contains("Height: " + height), info);

    byte[] rgba = OutsideReaders.dwebpRgba(file, width, height);
    for (int p = 0; p < width * height; p++) {
      for (int c = 0; c < 4; c++) {
        int want = channels == 1 ? (c == 3 ? 255 : samples[p]) : c < channels ? samples[p * channels + c] : 255;
        assertEquals(want, rgba[p * 4 + c] & 0xff, "pixel " + p + " channel " + c);
      }
    }
  }

  private Path encode(ImageFormat format, int width, int height, int channels, int bits, int[] samples)
      throws Exception {
    OpenCvEncoder encoder = new OpenCvEncoder(format, width, height, channels, bits);
    int bytes = bits / 8;
    for (int y = 0; y < height; y++) {
      byte[] row = new byte[encoder.rowBytes()];
      for (int i = 0; i < width * channels; i++) {
        int v = samples[y * width * channels + i];
        if (bytes == 2) {
          row[i * 2] = (byte) (v >>> 8);
          row[i * 2 + 1] = (byte) v;
        } else {
          row[i] = (byte) v;
        }
      }
      encoder.writeRow(row);
    }
    Path file = dir.resolve("out." + format.extension());
    Files.write(file, encoder.encode());
    return file;
  }

  /** Every sample different from its neighbours, spanning 0 to max, with some in each byte of a 16-bit value. */
  private static int[] pattern(int n, int max) {
    int[] s = new int[n];
    for (int i = 0; i < n; i++) {
      s[i] = (int) ((i * 2654435761L) % (max + 1L));
    }
    s[0] = 0;
    s[n - 1] = max;
    return s;
  }
}
