package dev.tilefarm.worker.render.path;

/** A surface's response to light. Immutable and thread-safe. */
interface Material {
  /** Radiance the surface emits at {@code hit} toward the unit direction {@code wo} (pointing away from it). */
  Rgb emitted(SurfaceHit hit, Vec3 wo);

  /** How the surface scatters light at {@code hit} seen from {@code wo}, or null if it scatters none. */
  Bsdf bsdf(SurfaceHit hit, Vec3 wo);
}
