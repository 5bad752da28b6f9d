package dev.tilefarm.worker.render.path;

/** A sphere; its outside is the side its normals face. */
record Sphere(Vec3 center, double radius) implements Shape {
  @Override
  public double intersect(Ray ray, double tMax) {
    // The numerically stable form of Haines et al., "Precision Improvements for Ray/Sphere Intersection"
    // (Ray Tracing Gems, 2019): the discriminant is computed from the distance of the ray to the centre, so
    // it does not cancel catastrophically for far-away or small spheres.
    Vec3 oc = ray.origin().minus(center);
    Vec3 d = ray.direction();
    double b = oc.dot(d);
    Vec3 perpendicular = oc.plusScaled(d, -b);
    double discriminant = radius * radius - perpendicular.lengthSquared();
    if (discriminant < 0) {
      return MISS;
    }
    double c = oc.lengthSquared() - radius * radius;
    double q = -b - Math.copySign(Math.sqrt(discriminant), b);
    if (q == 0) {
      return MISS;
    }
    double t0 = c / q;
    double t1 = q;
    double near = Math.min(t0, t1);
    double far = Math.max(t0, t1);
    if (near > 0 && near < tMax) {
      return near;
    }
    if (far > 0 && far < tMax) {
      return far;
    }
    return MISS;
  }

  @Override
  public Vec3 normalAt(Vec3 point) {
    // Normalised rather than divided by the radius: a hit point lies only approximately on the surface.
    return point.minus(center).normalized();
  }

  @Override
  public double extent() {
    return center.maxAbs() + radius;
  }
}
