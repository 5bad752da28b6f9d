package dev.tilefarm.worker.render.path;

/**
 * A light that can be sampled from a point in the scene (next-event estimation). Immutable and thread-safe.
 * Densities are per unit solid angle at the reference point.
 */
interface Light {
  /**
   * A direction from {@code p} toward the light: the unit vector {@code wi}, the {@code distance} to the
   * sampled point on the light (infinite for lights at infinity), the {@code radiance} arriving from it (for a
   * {@code delta} light, which a path can never hit, the irradiance-like weight to use with pdf 1) and the
   * density {@code pdf} it was drawn with.
   */
  record Sample(Vec3 wi, double distance, Rgb radiance, double pdf, boolean delta) {}

  /** Draws a direction from two uniform values; null if the light cannot illuminate {@code p}. */
  Sample sample(Vec3 p, double u1, double u2);

  /**
   * The density with which {@link #sample} from {@code p} returns {@code wi}, for a ray from {@code p} along
   * {@code wi} that reached this light at {@code hit} (null for lights at infinity, which no surface holds).
   */
  double pdf(Vec3 p, Vec3 wi, SurfaceHit hit);

  /** The emitted power (luminance-weighted), in proportion to which lights are chosen for sampling. */
  double power();
}
