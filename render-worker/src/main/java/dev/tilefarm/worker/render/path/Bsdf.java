package dev.tilefarm.worker.render.path;

/**
 * The scattering function at one surface point, in world space. Directions are unit vectors pointing away
 * from the surface: {@code wo} toward the viewer, {@code wi} toward the light. Values exclude the cosine
 * factor, which the integrator applies against {@link #normal()}.
 *
 * <p>Perfectly specular lobes (mirrors, smooth glass) are Dirac deltas: {@link #f} and {@link #pdf} are zero
 * for them, and {@link #sample} returns them flagged {@code specular} with {@code f * |cos| / pdf} equal to
 * the lobe's weight, as in pbrt.
 */
interface Bsdf {
  /** A sampled incident direction with the BSDF's value and the solid-angle density it was drawn with. */
  record Sample(Vec3 wi, Rgb f, double pdf, boolean specular) {}

  /** The shading normal the cosine factor is taken against. */
  Vec3 normal();

  Rgb f(Vec3 wo, Vec3 wi);

  /** The solid-angle density with which {@link #sample} returns {@code wi} (0 for specular directions). */
  double pdf(Vec3 wo, Vec3 wi);

  /**
   * Draws an incident direction from three uniform values ({@code uc} picks a lobe, {@code u1, u2} a
   * direction in it), or returns null if none can be drawn.
   */
  Sample sample(Vec3 wo, double uc, double u1, double u2);

  /** True if every lobe is specular, so that sampling a light toward this point is pointless. */
  default boolean specularOnly() {
    return false;
  }
}
