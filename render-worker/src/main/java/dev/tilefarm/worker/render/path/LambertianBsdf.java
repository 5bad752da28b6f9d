package dev.tilefarm.worker.render.path;

/** Ideal diffuse reflection, f = albedo / pi, on the side of {@code normal}, sampled with a cosine-weighted hemisphere. */
record LambertianBsdf(Rgb albedo, Vec3 normal) implements Bsdf {
  static final double INV_PI = 1 / Math.PI;

  @Override
  public Rgb f(Vec3 wo, Vec3 wi) {
    return normal.dot(wi) > 0 ? albedo.times(INV_PI) : Rgb.BLACK;
  }

  @Override
  public double pdf(Vec3 wo, Vec3 wi) {
    return Math.max(0, normal.dot(wi)) * INV_PI;
  }

  @Override
  public Sample sample(Vec3 wo, double uc, double u1, double u2) {
    Vec3 wi = cosineHemisphere(normal, u1, u2);
    double pdf = normal.dot(wi) * INV_PI;
    if (!(pdf > 0)) {
      return null;
    }
    return new Sample(wi, albedo.times(INV_PI), pdf, false);
  }

  /** Malley's method: uniform on the unit disk, projected up onto the hemisphere around {@code n}. */
  static Vec3 cosineHemisphere(Vec3 n, double u1, double u2) {
    double r = Math.sqrt(u1);
    double phi = 2 * Math.PI * u2;
    double cosTheta = Math.sqrt(1 - u1);
    return Frame.fromZ(n).fromLocal(r * StrictMath.cos(phi), r * StrictMath.sin(phi), cosTheta);
  }
}
