package dev.tilefarm.worker.render.path;

/** A perfectly smooth conductor: a single specular reflection weighted by Schlick's Fresnel from {@code f0}. */
record MirrorBsdf(Rgb f0, Vec3 normal) implements SpecularBsdf {
  @Override
  public Sample sample(Vec3 wo, double uc, double u1, double u2) {
    double cos = wo.dot(normal);
    if (cos <= 0) {
      return null;
    }
    Vec3 wi = Ggx.reflect(wo, normal);
    return new Sample(wi, Ggx.schlick(f0, cos).times(1 / cos), 1, true);
  }
}
