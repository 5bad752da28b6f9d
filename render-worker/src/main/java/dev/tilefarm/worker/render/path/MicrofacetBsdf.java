package dev.tilefarm.worker.render.path;

/**
 * A rough conductor: GGX microfacets reflecting with Schlick's Fresnel from {@code f0}. Reflects on the side
 * of {@code frame.z()}, the normal, only; sampled by visible normals.
 */
record MicrofacetBsdf(Rgb f0, Ggx ggx, Frame frame) implements Bsdf {
  /** The BSDF at a surface point whose normal is {@code normal}. */
  MicrofacetBsdf(Rgb f0, Ggx ggx, Vec3 normal) {
    this(f0, ggx, Frame.fromZ(normal));
  }

  @Override
  public Vec3 normal() {
    return frame.z();
  }

  @Override
  public Rgb f(Vec3 woWorld, Vec3 wiWorld) {
    return value(frame.toLocal(woWorld), frame.toLocal(wiWorld), f0, ggx);
  }

  /** D G F / (4 cos_o cos_i) for local directions, or black below the surface. */
  static Rgb value(Vec3 wo, Vec3 wi, Rgb f0, Ggx ggx) {
    if (wo.z() <= 0 || wi.z() <= 0) {
      return Rgb.BLACK;
    }
    Vec3 h = wo.plus(wi);
    if (h.lengthSquared() == 0) {
      return Rgb.BLACK;
    }
    h = h.normalized();
    double d = ggx.d(h.x(), h.y(), h.z());
    double g = ggx.g(wo, wi);
    return Ggx.schlick(f0, wo.dot(h)).times(d * g / (4 * wo.z() * wi.z()));
  }

  @Override
  public double pdf(Vec3 woWorld, Vec3 wiWorld) {
    return density(frame.toLocal(woWorld), frame.toLocal(wiWorld), ggx);
  }

  static double density(Vec3 wo, Vec3 wi, Ggx ggx) {
    if (wo.z() <= 0 || wi.z() <= 0) {
      return 0;
    }
    Vec3 h = wo.plus(wi);
    if (h.lengthSquared() == 0) {
      return 0;
    }
    h = h.normalized();
    return ggx.visibleD(wo, h) / (4 * wo.dot(h));
  }

  @Override
  public Sample sample(Vec3 woWorld, double uc, double u1, double u2) {
    Vec3 wo = frame.toLocal(woWorld);
    if (wo.z() <= 0) {
      return null;
    }
    Vec3 h = ggx.sampleVisible(wo, u1, u2);
    Vec3 wi = Ggx.reflect(wo, h);
    double pdf = density(wo, wi, ggx);
    if (!(pdf > 0)) {
      return null;
    }
    return new Sample(frame.fromLocal(wi), value(wo, wi, f0, ggx), pdf, false);
  }
}
