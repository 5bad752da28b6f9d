package dev.tilefarm.worker.render.path;

/** A light source: it emits {@code radiance} from its front and reflects nothing. */
record EmissiveMaterial(Rgb radiance) implements Material {
  @Override
  public Rgb emission(double u, double v) {
    return radiance;
  }

  @Override
  public double maxEmission() {
    return radiance.luminance();
  }

  @Override
  public Bsdf bsdf(SurfaceHit hit, Vec3 wo) {
    return null;
  }
}
