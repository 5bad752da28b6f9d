package dev.tilefarm.worker.render.path;

/**
 * The glTF 2.0 metallic-roughness BRDF: a GGX specular lobe with Schlick Fresnel from
 * F0 = lerp(0.04, baseColor, metallic), over a Lambertian base of {@code baseColor * (1 - metallic)} that only
 * receives the light the specular lobe did not reflect at the viewing angle (1 - F(cos_o) with the dielectric
 * F0 of 0.04), which keeps the sum within energy conservation. One-sample MIS between the two lobes, picking
 * the specular one in proportion to its expected share.
 */
final class PbrBsdf implements Bsdf {
  private static final double DIELECTRIC_F0 = 0.04;

  private final Rgb base;
  private final Rgb f0;
  private final double diffuseWeight;
  private final Ggx ggx;
  private final Frame frame;
  private final double specularProbability;

  PbrBsdf(Rgb baseColor, double metallic, double roughness, Vec3 normal, Vec3 wo) {
    this.frame = Frame.fromZ(normal);
    this.ggx = new Ggx(roughness);
    this.f0 = new Rgb(lerp(DIELECTRIC_F0, baseColor.r(), metallic), lerp(DIELECTRIC_F0, baseColor.g(), metallic),
        lerp(DIELECTRIC_F0, baseColor.b(), metallic));
    double cosO = Math.max(0, wo.dot(normal));
    this.diffuseWeight = (1 - metallic) * (1 - Ggx.schlick(DIELECTRIC_F0, cosO));
    this.base = baseColor.times(diffuseWeight * LambertianBsdf.INV_PI);
    double s = Ggx.schlick(f0, cosO).average();
    double d = diffuseWeight * baseColor.average();
    this.specularProbability = s + d > 0 ? Math.max(0.1, Math.min(0.9, s / (s + d))) : 0.5;
  }

  private static double lerp(double a, double b, double t) {
    return a + (b - a) * t;
  }

  @Override
  public Vec3 normal() {
    return frame.z();
  }

  @Override
  public Rgb f(Vec3 woWorld, Vec3 wiWorld) {
    Vec3 wo = frame.toLocal(woWorld);
    Vec3 wi = frame.toLocal(wiWorld);
    if (wo.z() <= 0 || wi.z() <= 0) {
      return Rgb.BLACK;
    }
    return base.plus(MicrofacetBsdf.value(wo, wi, f0, ggx));
  }

  @Override
  public double pdf(Vec3 woWorld, Vec3 wiWorld) {
    Vec3 wo = frame.toLocal(woWorld);
    Vec3 wi = frame.toLocal(wiWorld);
    if (wo.z() <= 0 || wi.z() <= 0) {
      return 0;
    }
    return specularProbability * MicrofacetBsdf.density(wo, wi, ggx)
        + (1 - specularProbability) * wi.z() * LambertianBsdf.INV_PI;
  }

  @Override
  public Sample sample(Vec3 woWorld, double uc, double u1, double u2) {
    Vec3 wo = frame.toLocal(woWorld);
    if (wo.z() <= 0) {
      return null;
    }
    Vec3 wi;
    if (uc < specularProbability) {
      wi = Ggx.reflect(wo, ggx.sampleVisible(wo, u1, u2));
    } else {
      double r = Math.sqrt(u1);
      double phi = 2 * Math.PI * u2;
      wi = new Vec3(r * StrictMath.cos(phi), r * StrictMath.sin(phi), Math.sqrt(1 - u1));
    }
    if (wi.z() <= 0) {
      return null;
    }
    Vec3 wiWorld = frame.fromLocal(wi);
    double pdf = specularProbability * MicrofacetBsdf.density(wo, wi, ggx)
        + (1 - specularProbability) * wi.z() * LambertianBsdf.INV_PI;
    if (!(pdf > 0)) {
      return null;
    }
    return new Sample(wiWorld, base.plus(MicrofacetBsdf.value(wo, wi, f0, ggx)), pdf, false);
  }
}
