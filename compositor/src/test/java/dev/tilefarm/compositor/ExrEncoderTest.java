package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.testing.OutsideReaders;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * EXR files the encoder writes, as OpenEXR's own tools describe them (exrheader) and fully decode them
 * (exrmaketiled reads every pixel), and their half values as OpenCV's OpenEXR decoder reads them, against the
 * floats put in.
 */
class ExrEncoderTest {
  static {
    nu.pattern.OpenCV.loadLocally();
  }

  @TempDir
  Path dir;

  /** Smooth images compress; noise does not and is stored raw (both are valid blocks). */
  @ParameterizedTest(name = "{0}x{1}, {2} channels, noise {3}")
  @CsvSource({"37,35,3,false", "37,35,3,true", "16,16,4,false", "5,1,1,false", "300,17,3,false"})
  void outsideReadersReadTheHalvesOfTheFloatsWritten(int width, int height, int channels, boolean noise)
      throws Exception {
    float[] values = new float[width * height * channels];
    Random random = new Random(width * 31L + height);
    for (int i = 0; i < values.length; i++) {
      int x = (i / channels) % width;
      int y = i / channels / width;
      values[i] = noise ? (float) (random.nextDouble() * 40) : x * 0.37f / width + y * 2.5f / height + (i % channels);
    }
    values[0] = 0f;
    values[values.length - 1] = 1000.25f;
    Path file = dir.resolve("out.exr");
    try (OutputStream out = Files.newOutputStream(file)) {
      ExrEncoder exr = new ExrEncoder(out, dir.resolve("blocks.bin"), width, height, channels);
      ByteBuffer row = ByteBuffer.allocate(width * channels * 4);
      for (int y = 0; y < height; y++) {
        row.clear();
        for (int i = 0; i < width * channels; i++) {
          row.putFloat(values[y * width * channels + i]);
        }
        exr.writeRow(row.array());
      }
      exr.finish();
    }
    assertTrue(!Files.exists(dir.resolve("blocks.bin")), "the scratch file is deleted");

    String header = OutsideReaders.run("openexr", "exrheader", file.toString());
    assertTrue(header.contains("compression (type compression): zip, multi-scanline blocks"), header);
    assertTrue(header.contains("dataWindow (type box2i): (0 0) - (" + (width - 1) + " " + (height - 1) + ")"), header);
    assertTrue(header.contains("lineOrder (type lineOrder): increasing y"), header);
    String[] names = channels == 1 ? new String[] {"Y"} : channels == 3 ? new String[] {"B", "G", "R"}
        : new String[] {"A", "B", "G", "R"};
    for (String name : names) {
      assertTrue(header.contains(name + ", 16-bit floating-point, sampling 1 1"), header);
    }
    // Writing a tiled copy makes OpenEXR decompress every block of the file.
    OutsideReaders.run("openexr", "exrmaketiled", file.toString(), dir.resolve("tiled.exr").toString());

    Mat read = Imgcodecs.imread(file.toString(), Imgcodecs.IMREAD_UNCHANGED);
    assertEquals(width, read.cols());
    assertEquals(height, read.rows());
    assertEquals(CvType.CV_32F, read.depth());
    assertEquals(channels, read.channels());
    float[] got = new float[width * height * channels];
    read.get(0, 0, got);
    for (int i = 0; i < values.length; i++) {
      // OpenCV gives blue first; an RGBA file comes back as BGRA.
      int c = i % channels;
      int pixel = i / channels;
      int from = channels == 1 ? i : pixel * channels + (c < 3 ? 2 - c : 3);
      float want = values[from];
      // A half has an 11-bit significand: rounding to nearest is within 2^-11 of the value.
      assertEquals(want, got[i], Math.abs(want) * 0x1p-11f + 1e-7f, "sample " + i);
    }
  }
}
