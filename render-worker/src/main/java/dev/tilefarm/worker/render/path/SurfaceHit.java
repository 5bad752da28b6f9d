package dev.tilefarm.worker.render.path;

/**
 * Where a ray met a primitive: at distance {@code t}, at {@code point}, whose outward geometric normal is
 * {@code normal}. {@code offset} is how far rays leaving this point start off the surface so that they do
 * not hit it again through rounding error.
 */
record SurfaceHit(double t, Vec3 point, Vec3 normal, Primitive primitive, double offset) {
  // Hit points are accurate to a few ulps of the numbers involved; 1e-9 relative is a wide margin.
  private static final double RELATIVE_OFFSET = 1e-9;

  static SurfaceHit on(Primitive primitive, Ray ray, double t) {
    Vec3 p = ray.at(t);
    double offset = RELATIVE_OFFSET * (1 + p.maxAbs() + t + ray.origin().maxAbs() + primitive.shape().extent());
    return new SurfaceHit(t, p, primitive.shape().normalAt(p), primitive, offset);
  }

  Material material() {
    return primitive.material();
  }

  /** A ray leaving the surface along the unit vector {@code direction}, from the side it leaves on. */
  Ray spawn(Vec3 direction) {
    double side = normal.dot(direction) >= 0 ? offset : -offset;
    return new Ray(point.plusScaled(normal, side), direction);
  }
}
