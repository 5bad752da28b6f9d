package dev.tilefarm.worker.ops;

import java.util.SplittableRandom;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/** Synthetic test images: gradients, a few sharp edges and per-pixel noise in every channel. */
final class TestImages {
  static {
    OpenCv.load();
  }

  private TestImages() {}

  static Mat textured(int width, int height, int channels, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] data = new byte[width * height * channels];
    int i = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < channels; c++) {
          double gradient = c % 2 == 0 ? 255.0 * x / width : 255.0 * y / height;
          double edge = ((x / 13 + y / 7 + c) % 3 == 0) ? 60 : 0;
          int v = (int) (0.6 * gradient + edge + random.nextInt(-40, 41));
          data[i++] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    Mat m = new Mat(height, width, CvType.CV_8UC(channels));
    m.put(0, 0, data);
    return m;
  }

  static Mat textured16(int width, int height, int channels, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    short[] data = new short[width * height * channels];
    for (int i = 0; i < data.length; i++) {
      int x = (i / channels) % width;
      data[i] = (short) Math.min(65535, x * 65535 / width + random.nextInt(0, 2000));
    }
    Mat m = new Mat(height, width, CvType.CV_16UC(channels));
    m.put(0, 0, data);
    return m;
  }
}
