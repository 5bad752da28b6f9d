package dev.tilefarm.worker.render.path;

/** A point or direction in world space. Immutable; the JIT keeps most of these off the heap. */
record Vec3(double x, double y, double z) {
  static final Vec3 ZERO = new Vec3(0, 0, 0);

  Vec3 plus(Vec3 o) {
    return new Vec3(x + o.x, y + o.y, z + o.z);
  }

  Vec3 minus(Vec3 o) {
    return new Vec3(x - o.x, y - o.y, z - o.z);
  }

  Vec3 times(double s) {
    return new Vec3(x * s, y * s, z * s);
  }

  /** this + d * s, the point at distance s along d. */
  Vec3 plusScaled(Vec3 d, double s) {
    return new Vec3(x + d.x * s, y + d.y * s, z + d.z * s);
  }

  Vec3 negate() {
    return new Vec3(-x, -y, -z);
  }

  double dot(Vec3 o) {
    return x * o.x + y * o.y + z * o.z;
  }

  Vec3 cross(Vec3 o) {
    return new Vec3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x);
  }

  double lengthSquared() {
    return dot(this);
  }

  double length() {
    return Math.sqrt(lengthSquared());
  }

  Vec3 normalized() {
    return times(1 / length());
  }

  double maxAbs() {
    return Math.max(Math.abs(x), Math.max(Math.abs(y), Math.abs(z)));
  }
}
