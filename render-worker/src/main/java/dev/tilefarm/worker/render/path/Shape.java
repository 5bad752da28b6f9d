package dev.tilefarm.worker.render.path;

/** Geometry a ray can hit. Immutable and thread-safe. */
interface Shape {
  /** What {@link #intersect} returns when the ray misses. */
  double MISS = Double.POSITIVE_INFINITY;

  /** The distance along {@code ray} to its nearest intersection in (0, tMax), or {@link #MISS}. */
  double intersect(Ray ray, double tMax);

  /** The outward unit normal at a point on the surface. */
  Vec3 normalAt(Vec3 point);

  /**
   * The magnitude of the numbers that define the shape (coordinates, radius). Rounding error in a hit point
   * grows with it, so rays leaving the surface start this much further off it.
   */
  double extent();
}
