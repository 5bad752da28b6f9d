package dev.tilefarm.worker.render.path;

/**
 * A BSDF whose every lobe is a Dirac delta (a mirror, smooth glass): {@link #f} and {@link #pdf} are zero for any
 * pair of directions, only {@link #sample} finds the lobes, and sampling a light toward the point is pointless.
 */
interface SpecularBsdf extends Bsdf {
  @Override
  default Rgb f(Vec3 wo, Vec3 wi) {
    return Rgb.BLACK;
  }

  @Override
  default double pdf(Vec3 wo, Vec3 wi) {
    return 0;
  }

  @Override
  default boolean specularOnly() {
    return true;
  }
}
