package dev.tilefarm.worker.render.path;

/**
 * All primitives of a scene, for ray queries. Callers depend on these two queries only. Immutable and
 * thread-safe; the per-thread {@link Scratch} carries the working memory.
 */
interface Aggregate {
  /** The nearest hit in (0, tMax), or null. */
  SurfaceHit intersect(Ray ray, double tMax, Scratch scratch);

  /** Whether anything lies on the ray in (0, tMax). */
  boolean occluded(Ray ray, double tMax, Scratch scratch);

  /** Bounds of everything finite: min x, y, z, max x, y, z (all zero for a scene of planes only). */
  double[] bounds();
}
