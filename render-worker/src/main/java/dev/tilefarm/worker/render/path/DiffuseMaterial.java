package dev.tilefarm.worker.render.path;

/** A Lambertian reflector, two-sided: it reflects on whichever side it is seen from. */
record DiffuseMaterial(Rgb albedo) implements Material {
  @Override
  public Rgb emitted(SurfaceHit hit, Vec3 wo) {
    return Rgb.BLACK;
  }

  @Override
  public Bsdf bsdf(SurfaceHit hit, Vec3 wo) {
    Vec3 n = hit.normal();
    return new LambertianBsdf(albedo, n.dot(wo) >= 0 ? n : n.negate());
  }
}
