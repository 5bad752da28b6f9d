package dev.tilefarm.worker.render.path;

import dev.tilefarm.schemas.SceneSpec;

/**
 * An affine map of 3D space, as a 3x4 row-major matrix {@code m} with its inverse. Points take the
 * translation, directions do not, normals go through the inverse transpose. Immutable.
 */
final class Transform {
  // Declared before IDENTITY: static fields initialise in order, and the constructor reads this one.
  private static final double[] IDENTITY_ENTRIES = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  static final Transform IDENTITY = new Transform(new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});

  final double[] m;
  final double[] inv;
  final boolean identity;

  Transform(double[] m) {
    if (m.length != 12) {
      throw new IllegalArgumentException("a 3x4 matrix has 12 entries, got " + m.length);
    }
    this.m = m.clone();
    this.inv = invert(m);
    boolean id = true;
    for (int i = 0; i < 12; i++) {
      id &= m[i] == IDENTITY_ENTRIES[i];
    }
    this.identity = id;
  }

  /** Scale, then rotation about x, y and z (degrees), then translation: as the scene format defines it. */
  static Transform of(SceneSpec.Transform t) {
    double[] s = t.scale();
    Transform scale = new Transform(new double[] {s[0], 0, 0, 0, 0, s[1], 0, 0, 0, 0, s[2], 0});
    Transform r = rotation(0, t.rotate()[0]).then(rotation(1, t.rotate()[1])).then(rotation(2, t.rotate()[2]));
    double[] p = t.translate();
    Transform move = new Transform(new double[] {1, 0, 0, p[0], 0, 1, 0, p[1], 0, 0, 1, p[2]});
    return scale.then(r).then(move);
  }

  /** From a glTF/OpenGL column-major 4x4 matrix (its last row must be 0 0 0 1). */
  static Transform fromColumnMajor(float[] c) {
    return new Transform(new double[] {c[0], c[4], c[8], c[12], c[1], c[5], c[9], c[13], c[2], c[6], c[10], c[14]});
  }

  private static Transform rotation(int axis, double degrees) {
    if (degrees == 0) {
      return IDENTITY;
    }
    double a = Math.toRadians(degrees);
    double c = StrictMath.cos(a);
    double s = StrictMath.sin(a);
    switch (axis) {
      case 0:
        return new Transform(new double[] {1, 0, 0, 0, 0, c, -s, 0, 0, s, c, 0});
      case 1:
        return new Transform(new double[] {c, 0, s, 0, 0, 1, 0, 0, -s, 0, c, 0});
      default:
        return new Transform(new double[] {c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0});
    }
  }

  /** This map followed by {@code next}. */
  Transform then(Transform next) {
    double[] a = next.m;
    double[] b = m;
    double[] r = new double[12];
    for (int row = 0; row < 3; row++) {
      for (int col = 0; col < 4; col++) {
        double v = a[row * 4] * b[col] + a[row * 4 + 1] * b[4 + col] + a[row * 4 + 2] * b[8 + col];
        if (col == 3) {
          v += a[row * 4 + 3];
        }
        r[row * 4 + col] = v;
      }
    }
    return new Transform(r);
  }

  Vec3 point(Vec3 p) {
    return new Vec3(m[0] * p.x() + m[1] * p.y() + m[2] * p.z() + m[3],
        m[4] * p.x() + m[5] * p.y() + m[6] * p.z() + m[7],
        m[8] * p.x() + m[9] * p.y() + m[10] * p.z() + m[11]);
  }

  /** The point this map takes to {@code p}. */
  Vec3 inverse(Vec3 p) {
    return new Vec3(inv[0] * p.x() + inv[1] * p.y() + inv[2] * p.z() + inv[3],
        inv[4] * p.x() + inv[5] * p.y() + inv[6] * p.z() + inv[7],
        inv[8] * p.x() + inv[9] * p.y() + inv[10] * p.z() + inv[11]);
  }

  Vec3 vector(Vec3 v) {
    return new Vec3(m[0] * v.x() + m[1] * v.y() + m[2] * v.z(),
        m[4] * v.x() + m[5] * v.y() + m[6] * v.z(),
        m[8] * v.x() + m[9] * v.y() + m[10] * v.z());
  }

  /** A normal's image (not normalised): the inverse transpose keeps it perpendicular to the moved surface. */
  Vec3 normal(Vec3 n) {
    return new Vec3(inv[0] * n.x() + inv[4] * n.y() + inv[8] * n.z(),
        inv[1] * n.x() + inv[5] * n.y() + inv[9] * n.z(),
        inv[2] * n.x() + inv[6] * n.y() + inv[10] * n.z());
  }

  /** Whether the map turns space inside out (a mirror), which flips triangle winding. */
  boolean flipsHandedness() {
    double det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8])
        + m[2] * (m[4] * m[9] - m[5] * m[8]);
    return det < 0;
  }

  private static double[] invert(double[] m) {
    double a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[6], g = m[8], h = m[9], i = m[10];
    double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    if (det == 0 || !Double.isFinite(det)) {
      throw new IllegalArgumentException("the transform is singular (it flattens space)");
    }
    double k = 1 / det;
    double[] r = new double[12];
    r[0] = (e * i - f * h) * k;
    r[1] = (c * h - b * i) * k;
    r[2] = (b * f - c * e) * k;
    r[4] = (f * g - d * i) * k;
    r[5] = (a * i - c * g) * k;
    r[6] = (c * d - a * f) * k;
    r[8] = (d * h - e * g) * k;
    r[9] = (b * g - a * h) * k;
    r[10] = (a * e - b * d) * k;
    r[3] = -(r[0] * m[3] + r[1] * m[7] + r[2] * m[11]);
    r[7] = -(r[4] * m[3] + r[5] * m[7] + r[6] * m[11]);
    r[11] = -(r[8] * m[3] + r[9] * m[7] + r[10] * m[11]);
    return r;
  }
}
