package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** glTF sampler interpolation against values worked out by hand. */
class KeyframeTrackTest {
  private static final double EPS = 1e-12;
  /** sin and cos of 22.5 degrees: the half angle of a 45-degree rotation (from tables). */
  private static final double SIN_22_5 = 0.38268343236508977;
  private static final double COS_22_5 = 0.92387953251128674;
  private static final double S45 = 0.70710678118654752;

  @Test
  void linearMovesInAStraightLineAndHoldsOutsideTheKeys() {
    KeyframeTrack t = new KeyframeTrack(new double[] {0, 2}, new double[] {0, 0, 0, 4, -2, 8}, 3,
        KeyframeTrack.Interpolation.LINEAR, false);
    // A quarter of the way from t=0 to t=2: a quarter of (4, -2, 8).
    assertArrayEquals(new double[] {1, -0.5, 2}, t.sample(0.5), EPS);
    assertArrayEquals(new double[] {0, 0, 0}, t.sample(-1), EPS);
    assertArrayEquals(new double[] {4, -2, 8}, t.sample(3), EPS);
    assertArrayEquals(new double[] {4, -2, 8}, t.sample(2), EPS);
  }

  @Test
  void stepHoldsTheLastKeyAtOrBeforeTheTime() {
    KeyframeTrack t = new KeyframeTrack(new double[] {0, 1, 2}, new double[] {1, 2, 3}, 1,
        KeyframeTrack.Interpolation.STEP, false);
    assertArrayEquals(new double[] {1}, t.sample(0.99), EPS);
    assertArrayEquals(new double[] {2}, t.sample(1), EPS);
    assertArrayEquals(new double[] {2}, t.sample(1.5), EPS);
    assertArrayEquals(new double[] {3}, t.sample(7), EPS);
  }

  @Test
  void linearRotationsAreSlerpedAlongTheShorterArc() {
    // Identity to 90 degrees about z; half way is 45 degrees about z: (0, 0, sin 22.5, cos 22.5).
    KeyframeTrack t = new KeyframeTrack(new double[] {0, 1}, new double[] {0, 0, 0, 1, 0, 0, S45, S45}, 4,
        KeyframeTrack.Interpolation.LINEAR, true);
    assertArrayEquals(new double[] {0, 0, SIN_22_5, COS_22_5}, t.sample(0.5), 1e-12);
    // The same 90 degrees written as the negated quaternion: still the short way, to the same half-way rotation.
    KeyframeTrack negated = new KeyframeTrack(new double[] {0, 1}, new double[] {0, 0, 0, 1, 0, 0, -S45, -S45}, 4,
        KeyframeTrack.Interpolation.LINEAR, true);
    assertArrayEquals(new double[] {0, 0, SIN_22_5, COS_22_5}, negated.sample(0.5), 1e-12);
  }

  @Test
  void cubicSplineIsTheHermiteCurveOfTheValuesAndScaledTangents() {
    // Keys at t=0 (in 0, value 1, out 3) and t=2 (in -1, value 5, out 0). With s = t/2 and dt = 2:
    // p = (2s^3-3s^2+1)*1 + (s^3-2s^2+s)*2*3 + (-2s^3+3s^2)*5 + (s^3-s^2)*2*(-1).
    // s = 0.5: 0.5 + 0.75 + 2.5 + 0.25 = 4. s = 0.25: 0.84375 + 0.84375 + 0.78125 + 0.09375 = 2.5625.
    KeyframeTrack t = new KeyframeTrack(new double[] {0, 2}, new double[] {0, 1, 3, -1, 5, 0}, 1,
        KeyframeTrack.Interpolation.CUBICSPLINE, false);
    assertArrayEquals(new double[] {4}, t.sample(1), EPS);
    assertArrayEquals(new double[] {2.5625}, t.sample(0.5), EPS);
    assertArrayEquals(new double[] {5}, t.sample(2), EPS);
    assertArrayEquals(new double[] {1}, t.sample(-3), EPS);
  }

  @Test
  void badKeysAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new KeyframeTrack(new double[] {1, 1}, new double[] {0, 0}, 1,
        KeyframeTrack.Interpolation.LINEAR, false));
    assertThrows(IllegalArgumentException.class, () -> new KeyframeTrack(new double[] {0, 1}, new double[] {0, 0}, 1,
        KeyframeTrack.Interpolation.CUBICSPLINE, false));
  }
}
