package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MandelbrotTest {
  @Test
  void theCardioidAndBulbShortcutOnlySkipsPointsThatNeverEscape() {
    int skipped = 0;
    for (double cr = -2.0; cr <= 0.5; cr += 0.0123) {
      for (double ci = -1.2; ci <= 1.2; ci += 0.0117) {
        if (Mandelbrot.inCardioidOrBulb(cr, ci)) {
          skipped++;
          assertEquals(-1, iterate(cr, ci, 20_000), "(" + cr + ", " + ci + ") escapes");
        }
      }
    }
    assertTrue(skipped > 1000, "only " + skipped + " points were in the shortcut's region");
  }

  @Test
  void theSmoothCountIsContinuousAcrossIterationBands() {
    // Along a line that leaves the set, neighbouring points' smooth counts differ by far less than the one
    // whole iteration by which their integer escape counts jump.
    double previous = Mandelbrot.smoothEscape(-2.1, 0.3, 1000);
    for (double cr = -2.1; cr < -1.6; cr += 1e-4) {
      double mu = Mandelbrot.smoothEscape(cr, 0.3, 1000);
      assertTrue(mu > 0, "escapes at " + cr);
      assertTrue(Math.abs(mu - previous) < 0.2, "jump from " + previous + " to " + mu + " at " + cr);
      previous = mu;
    }
  }

  /** Plain escape-time iteration without the shortcut: the count at escape, or -1. */
  private static int iterate(double cr, double ci, int iterations) {
    double zr = 0;
    double zi = 0;
    for (int n = 0; n < iterations; n++) {
      if (zr * zr + zi * zi > 4) {
        return n;
      }
      double t = zr * zr - zi * zi + cr;
      zi = 2 * zr * zi + ci;
      zr = t;
    }
    return -1;
  }
}
