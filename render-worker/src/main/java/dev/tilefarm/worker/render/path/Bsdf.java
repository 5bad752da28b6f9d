package dev.tilefarm.worker.render.path;

/**
 * The scattering function at one surface point, in world space. Directions are unit vectors pointing away
 * from the surface: {@code wo} toward the viewer, {@code wi} toward the light. Values exclude the cosine
 * factor, which the integrator applies against {@link #normal()}.
 */
interface Bsdf {
  /** A sampled incident direction with the BSDF's value and the solid-angle density it was drawn with. */
  record Sample(Vec3 wi, Rgb f, double pdf) {}

  /** The shading normal, on the side of {@code wo}. */
  Vec3 normal();

  Rgb f(Vec3 wo, Vec3 wi);

  /** The solid-angle density with which {@link #sample} returns {@code wi}. */
  double pdf(Vec3 wo, Vec3 wi);

  /** Draws an incident direction from two uniform values, or returns null if none can be drawn. */
  Sample sample(Vec3 wo, double u1, double u2);
}
