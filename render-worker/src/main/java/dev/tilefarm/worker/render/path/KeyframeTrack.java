package dev.tilefarm.worker.render.path;

import java.util.Arrays;

/**
 * One glTF animation sampler: key times (seconds, rising) and their values, {@code width} numbers each (3 for a
 * translation or scale, 4 for a rotation quaternion x, y, z, w), sampled at any time as the glTF 2.0
 * specification (section 3.11, appendix C) says. Before the first key and after the last the value holds.
 *
 * <ul>
 *   <li>STEP: the value of the last key at or before the time.
 *   <li>LINEAR: linear between the two keys around the time; a rotation is spherically interpolated (slerp) along
 *       the shorter arc.
 *   <li>CUBICSPLINE: each key holds an in-tangent, a value and an out-tangent ({@code 3 * width} numbers); between
 *       two keys the cubic Hermite spline of the two values and the tangents scaled by the keys' time apart. A
 *       rotation comes out normalised.
 * </ul>
 */
final class KeyframeTrack {
  enum Interpolation { STEP, LINEAR, CUBICSPLINE }

  private final double[] times;
  private final double[] values;
  private final int width;
  private final Interpolation interpolation;
  private final boolean rotation;

  /**
   * @param values {@code width} numbers per key ({@code 3 * width}, tangents included, for CUBICSPLINE)
   * @param rotation whether values are unit quaternions (slerped, and normalised after a spline)
   */
  KeyframeTrack(double[] times, double[] values, int width, Interpolation interpolation, boolean rotation) {
    if (times.length == 0) {
      throw new IllegalArgumentException("an animation sampler has no keys");
    }
    for (int i = 0; i < times.length; i++) {
      if (!Double.isFinite(times[i]) || (i > 0 && times[i] <= times[i - 1])) {
        throw new IllegalArgumentException("key time " + i + " (" + times[i] + ") is not finite and after the one "
            + "before it");
      }
    }
    int per = interpolation == Interpolation.CUBICSPLINE ? 3 * width : width;
    if (values.length != times.length * per) {
      throw new IllegalArgumentException(times.length + " keys of " + interpolation + " need " + times.length * per
          + " output values, not " + values.length);
    }
    this.times = times.clone();
    this.values = values.clone();
    this.width = width;
    this.interpolation = interpolation;
    this.rotation = rotation;
  }

  /** The value at {@code time} seconds. */
  double[] sample(double time) {
    int n = times.length;
    if (time <= times[0]) {
      return value(0);
    }
    if (time >= times[n - 1]) {
      return value(n - 1);
    }
    // The key at or before the time: times[k] <= time < times[k + 1].
    int found = Arrays.binarySearch(times, time);
    int k = found >= 0 ? found : -found - 2;
    if (found >= 0) {
      return value(k);
    }
    double dt = times[k + 1] - times[k];
    double s = (time - times[k]) / dt;
    return switch (interpolation) {
      case STEP -> value(k);
      case LINEAR -> rotation ? slerp(value(k), value(k + 1), s) : lerp(value(k), value(k + 1), s);
      case CUBICSPLINE -> spline(k, s, dt);
    };
  }

  /** The value (not the tangents) of key {@code k}. */
  private double[] value(int k) {
    int offset = interpolation == Interpolation.CUBICSPLINE ? (3 * k + 1) * width : k * width;
    return Arrays.copyOfRange(values, offset, offset + width);
  }

  private double[] tangent(int k, boolean in) {
    int offset = (3 * k + (in ? 0 : 2)) * width;
    return Arrays.copyOfRange(values, offset, offset + width);
  }

  private double[] spline(int k, double s, double dt) {
    double[] v0 = value(k);
    double[] b0 = tangent(k, false);
    double[] v1 = value(k + 1);
    double[] a1 = tangent(k + 1, true);
    double s2 = s * s;
    double s3 = s2 * s;
    double h00 = 2 * s3 - 3 * s2 + 1;
    double h10 = s3 - 2 * s2 + s;
    double h01 = -2 * s3 + 3 * s2;
    double h11 = s3 - s2;
    double[] out = new double[width];
    for (int i = 0; i < width; i++) {
      out[i] = h00 * v0[i] + h10 * dt * b0[i] + h01 * v1[i] + h11 * dt * a1[i];
    }
    return rotation ? normalized(out) : out;
  }

  static double[] lerp(double[] a, double[] b, double s) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + s * (b[i] - a[i]);
    }
    return out;
  }

  /** Spherical interpolation of unit quaternions along the shorter arc. */
  static double[] slerp(double[] a, double[] b, double s) {
    double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
    double[] to = b.clone();
    if (dot < 0) {
      dot = -dot;
      for (int i = 0; i < 4; i++) {
        to[i] = -to[i];
      }
    }
    if (dot > 0.9995) {
      // Nearly the same rotation: sin(theta) is too small to divide by, and a normalised lerp is as good.
      return normalized(lerp(a, to, s));
    }
    double theta = StrictMath.acos(dot);
    double sin = StrictMath.sin(theta);
    double wa = StrictMath.sin((1 - s) * theta) / sin;
    double wb = StrictMath.sin(s * theta) / sin;
    double[] out = new double[4];
    for (int i = 0; i < 4; i++) {
      out[i] = wa * a[i] + wb * to[i];
    }
    return out;
  }

  static double[] normalized(double[] q) {
    double len = 0;
    for (double v : q) {
      len += v * v;
    }
    len = Math.sqrt(len);
    if (!(len > 0)) {
      return q;
    }
    double[] out = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      out[i] = q[i] / len;
    }
    return out;
  }
}
