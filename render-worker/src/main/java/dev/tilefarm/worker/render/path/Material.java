package dev.tilefarm.worker.render.path;

/** A surface's response to light. Immutable and thread-safe. */
interface Material {
  /**
   * Radiance emitted at texture coordinates (u, v) from the surface's front (the side its geometric normal
   * faces). Emission is one-sided, like pbrt's area lights, so that what a path finds by hitting an emitter
   * always matches what its light samples.
   */
  default Rgb emission(double u, double v) {
    return Rgb.BLACK;
  }

  /** An upper bound of {@link #emission}'s luminance, 0 if the material never emits. */
  default double maxEmission() {
    return 0;
  }

  /** Radiance the surface emits at {@code hit} toward the unit direction {@code wo} (pointing away from it). */
  default Rgb emitted(SurfaceHit hit, Vec3 wo) {
    return hit.normal().dot(wo) > 0 ? emission(hit.u(), hit.v()) : Rgb.BLACK;
  }

  /** How the surface scatters light at {@code hit} seen from {@code wo}, or null if it scatters none. */
  Bsdf bsdf(SurfaceHit hit, Vec3 wo);

  /** The shading normal turned to the side {@code wo} is on (judged by the geometric normal): opaque surfaces are two-sided. */
  static Vec3 facing(SurfaceHit hit, Vec3 wo) {
    return hit.normal().dot(wo) >= 0 ? hit.shading() : hit.shading().negate();
  }
}
