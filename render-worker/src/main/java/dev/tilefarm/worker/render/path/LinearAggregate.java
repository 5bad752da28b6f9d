package dev.tilefarm.worker.render.path;

import java.util.List;

/** Tests every primitive: fine for the few dozen objects of a builtin scene, until a BVH replaces it. */
final class LinearAggregate implements Aggregate {
  private final Primitive[] primitives;

  LinearAggregate(List<Primitive> primitives) {
    this.primitives = primitives.toArray(new Primitive[0]);
  }

  @Override
  public SurfaceHit intersect(Ray ray, double tMax) {
    Primitive nearest = null;
    double tNearest = tMax;
    for (Primitive p : primitives) {
      double t = p.shape().intersect(ray, tNearest);
      if (t < tNearest) {
        tNearest = t;
        nearest = p;
      }
    }
    return nearest == null ? null : SurfaceHit.on(nearest, ray, tNearest);
  }

  @Override
  public boolean occluded(Ray ray, double tMax) {
    for (Primitive p : primitives) {
      if (p.shape().intersect(ray, tMax) < tMax) {
        return true;
      }
    }
    return false;
  }
}
