package dev.tilefarm.worker.render.path;

/** An infinite plane through {@code point}; {@code normal} (unit) points to its front. */
record Plane(Vec3 point, Vec3 normal) implements Shape {
  @Override
  public double intersect(Ray ray, double tMax) {
    double denominator = normal.dot(ray.direction());
    if (denominator == 0) {
      return MISS;
    }
    double t = normal.dot(point.minus(ray.origin())) / denominator;
    return t > 0 && t < tMax ? t : MISS;
  }

  @Override
  public Vec3 normalAt(Vec3 p) {
    return normal;
  }

  @Override
  public double extent() {
    return point.maxAbs();
  }
}
