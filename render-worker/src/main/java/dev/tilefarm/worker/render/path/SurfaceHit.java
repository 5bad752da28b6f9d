package dev.tilefarm.worker.render.path;

/**
 * Where a ray met the scene: at distance {@code t}, at {@code point}, with the unit geometric normal
 * {@code normal} (outward for spheres, by winding for triangles) and the unit shading normal {@code shading}
 * (interpolated vertex normals, on the same side as {@code normal}). {@code u, v} are texture coordinates and
 * {@code dpdu, dpdv} the surface's derivatives along them (for normal maps). {@code light} samples this
 * point's emission directly, or is null. {@code offset} is how far rays leaving this point start off the
 * surface so that they do not hit it again through rounding error.
 */
record SurfaceHit(double t, Vec3 point, Vec3 normal, Vec3 shading, double u, double v, Vec3 dpdu, Vec3 dpdv,
    Material material, Light light, double offset) {
  // Hit points are accurate to a few ulps of the numbers involved; 1e-9 relative is a wide margin.
  static final double RELATIVE_OFFSET = 1e-9;

  static double offsetFor(Ray ray, double t, Vec3 p, double extent) {
    return RELATIVE_OFFSET * (1 + p.maxAbs() + t + ray.origin().maxAbs() + extent);
  }

  /** A ray leaving the surface along the unit vector {@code direction}, from the side it leaves on. */
  Ray spawn(Vec3 direction) {
    double side = normal.dot(direction) >= 0 ? offset : -offset;
    return new Ray(point.plusScaled(normal, side), direction);
  }

  /** This hit with another shading normal (a normal map's). */
  SurfaceHit withShading(Vec3 n) {
    return new SurfaceHit(t, point, normal, n, u, v, dpdu, dpdv, material, light, offset);
  }
}
