package dev.tilefarm.worker.render.path;

/**
 * A light source: it emits {@code radiance} from its front (a sphere's outside, a plane's normal side) and
 * reflects nothing. One-sided, like pbrt's area lights, so that what a path finds by hitting it always
 * matches what {@link SphereLight} samples.
 */
record EmissiveMaterial(Rgb radiance) implements Material {
  @Override
  public Rgb emitted(SurfaceHit hit, Vec3 wo) {
    return hit.normal().dot(wo) > 0 ? radiance : Rgb.BLACK;
  }

  @Override
  public Bsdf bsdf(SurfaceHit hit, Vec3 wo) {
    return null;
  }
}
