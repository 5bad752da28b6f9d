package dev.tilefarm.worker.render.path;

/**
 * A smooth dielectric boundary: specular reflection and refraction, chosen in proportion to the exact
 * (unpolarised) Fresnel reflectance, with total internal reflection. Transmitted radiance is scaled by
 * 1 / eta^2 (radiance is compressed entering a denser medium: pbrt's radiance transport mode) and tinted.
 *
 * @param eta index of refraction inside over outside
 * @param outward the surface's outward normal (not flipped toward the viewer: which side is inside matters)
 */
record GlassBsdf(double eta, Rgb tint, Vec3 outward) implements SpecularBsdf {
  /** The outward normal: the integrator takes |cos| against it, the same from either side. */
  @Override
  public Vec3 normal() {
    return outward;
  }

  @Override
  public Sample sample(Vec3 wo, double uc, double u1, double u2) {
    double cosO = wo.dot(outward);
    boolean entering = cosO > 0;
    double etaRel = entering ? eta : 1 / eta;
    Vec3 n = entering ? outward : outward.negate();
    double cosI = Math.abs(cosO);
    if (cosI == 0) {
      return null;
    }
    double f = fresnel(cosI, etaRel);
    if (uc < f) {
      Vec3 wi = Ggx.reflect(wo, n);
      return new Sample(wi, Rgb.WHITE.times(f / cosI), f, true);
    }
    double sin2T = (1 - cosI * cosI) / (etaRel * etaRel);
    double cosT = Math.sqrt(Math.max(0, 1 - sin2T));
    Vec3 wt = wo.negate().times(1 / etaRel).plus(n.times(cosI / etaRel - cosT)).normalized();
    double t = 1 - f;
    return new Sample(wt, tint.times(t / (etaRel * etaRel) / cosT), t, true);
  }

  /** Unpolarised Fresnel reflectance for cosine {@code cosI} on the incident side and relative index eta. */
  static double fresnel(double cosI, double eta) {
    double sin2T = (1 - cosI * cosI) / (eta * eta);
    if (sin2T >= 1) {
      return 1;
    }
    double cosT = Math.sqrt(1 - sin2T);
    double parallel = (eta * cosI - cosT) / (eta * cosI + cosT);
    double perpendicular = (cosI - eta * cosT) / (cosI + eta * cosT);
    return (parallel * parallel + perpendicular * perpendicular) / 2;
  }
}
