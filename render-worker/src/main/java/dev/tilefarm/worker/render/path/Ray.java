package dev.tilefarm.worker.render.path;

/** A half-line from {@code origin} along the unit vector {@code direction}. */
record Ray(Vec3 origin, Vec3 direction) {
  Vec3 at(double t) {
    return origin.plusScaled(direction, t);
  }
}
