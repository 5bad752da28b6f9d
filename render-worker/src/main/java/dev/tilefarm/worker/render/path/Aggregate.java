package dev.tilefarm.worker.render.path;

/**
 * All primitives of a scene, for ray queries. The seam where an acceleration structure (a BVH) goes:
 * callers depend on these two queries only. Immutable and thread-safe.
 */
interface Aggregate {
  /** The nearest hit in (0, tMax), or null. Ties go to the primitive listed first in the scene. */
  SurfaceHit intersect(Ray ray, double tMax);

  /** Whether anything lies on the ray in (0, tMax). */
  boolean occluded(Ray ray, double tMax);
}
