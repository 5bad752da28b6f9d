package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HashSamplerTest {
  private static double[] draw(HashSampler s, int x, int y, int index, int n) {
    s.startPixelSample(x, y, index);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.get1D();
    }
    return out;
  }

  @Test
  void aSamplesValuesDependOnlyOnSeedPixelIndexAndDimension() {
    HashSampler a = new HashSampler(42);
    double[] first = draw(a, 10, 20, 3, 6);
    // Other pixels and samples in between, on the same instance and on a fresh one.
    draw(a, 11, 20, 3, 50);
    draw(a, 10, 20, 4, 50);
    assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(draw(a, 10, 20, 3, 6)));
    assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(draw(new HashSampler(42), 10, 20, 3, 6)));
  }

  @Test
  void eachKeyPartChangesTheValues() {
    double base = draw(new HashSampler(42), 10, 20, 3, 1)[0];
    assertNotEquals(base, draw(new HashSampler(43), 10, 20, 3, 1)[0]);
    assertNotEquals(base, draw(new HashSampler(42), 11, 20, 3, 1)[0]);
    assertNotEquals(base, draw(new HashSampler(42), 10, 21, 3, 1)[0]);
    assertNotEquals(base, draw(new HashSampler(42), 20, 10, 3, 1)[0]);
    assertNotEquals(base, draw(new HashSampler(42), 10, 20, 4, 1)[0]);
    assertNotEquals(base, draw(new HashSampler(42), 10, 20, 3, 2)[1]);
  }

  @Test
  void valuesAreUniformOnTheUnitIntervalAcrossPixelsSamplesAndDimensions() {
    HashSampler s = new HashSampler(7);
    int bins = 20;
    long[] counts = new long[bins];
    long[] pairCounts = new long[bins];
    int n = 0;
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 40; x++) {
        for (int i = 0; i < 16; i++) {
          double[] v = draw(s, x, y, i, 4);
          for (double u : v) {
            assertTrue(u >= 0 && u < 1, "value " + u);
            counts[(int) (u * bins)]++;
            n++;
          }
          // Consecutive dimensions must be independent: their sum's fractional part is uniform too.
          double frac = (v[0] + v[1]) % 1.0;
          pairCounts[(int) (frac * bins)]++;
        }
      }
    }
    // Chi-square with 19 degrees of freedom: 43.8 is its 0.999 quantile.
    assertTrue(chiSquare(counts, n) < 43.8, "values chi^2 " + chiSquare(counts, n));
    assertTrue(chiSquare(pairCounts, n / 4) < 43.8, "pairs chi^2 " + chiSquare(pairCounts, n / 4));
  }

  private static double chiSquare(long[] counts, int n) {
    double expected = (double) n / counts.length;
    double chi = 0;
    for (long c : counts) {
      chi += (c - expected) * (c - expected) / expected;
    }
    return chi;
  }
}
