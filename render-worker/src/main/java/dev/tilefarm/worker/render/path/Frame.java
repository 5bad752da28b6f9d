package dev.tilefarm.worker.render.path;

/**
 * An orthonormal basis around a unit vector {@code z}, for turning directions sampled around the z axis into
 * world space. Built branch-free after Duff et al., "Building an Orthonormal Basis, Revisited" (JCGT 2017),
 * which stays accurate for every z, including those close to -z.
 */
record Frame(Vec3 x, Vec3 y, Vec3 z) {
  static Frame fromZ(Vec3 z) {
    double sign = Math.copySign(1.0, z.z());
    double a = -1 / (sign + z.z());
    double b = z.x() * z.y() * a;
    Vec3 x = new Vec3(1 + sign * z.x() * z.x() * a, sign * b, -sign * z.x());
    Vec3 y = new Vec3(b, sign + z.y() * z.y() * a, -z.y());
    return new Frame(x, y, z);
  }

  /** The world direction with coordinates (lx, ly, lz) in this frame. */
  Vec3 fromLocal(double lx, double ly, double lz) {
    return new Vec3(
        x.x() * lx + y.x() * ly + z.x() * lz,
        x.y() * lx + y.y() * ly + z.y() * lz,
        x.z() * lx + y.z() * ly + z.z() * lz);
  }

  Vec3 fromLocal(Vec3 v) {
    return fromLocal(v.x(), v.y(), v.z());
  }

  Vec3 toLocal(Vec3 w) {
    return new Vec3(w.dot(x), w.dot(y), w.dot(z));
  }
}
