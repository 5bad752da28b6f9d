package dev.tilefarm.worker.render.path;

/**
 * A light that can be sampled from a point in the scene (next-event estimation). Immutable and thread-safe.
 * Densities are per unit solid angle at the reference point.
 */
interface Light {
  /**
   * A direction from {@code p} toward the light: the unit vector {@code wi}, the {@code distance} to the
   * sampled point on the light, the {@code radiance} arriving from it (if nothing is in between) and the
   * density {@code pdf} it was drawn with.
   */
  record Sample(Vec3 wi, double distance, Rgb radiance, double pdf) {}

  /** Draws a direction from two uniform values; null if the light cannot illuminate {@code p}. */
  Sample sample(Vec3 p, double u1, double u2);

  /**
   * The density with which {@link #sample} from {@code p} returns the direction {@code wi}, for a
   * direction along which a ray from {@code p} hits this light's emitting side.
   */
  double pdf(Vec3 p, Vec3 wi);
}
