package dev.tilefarm.worker.render.path;

/**
 * An emissive sphere, sampled uniformly over the cone of directions it subtends, after pbrt-v4's
 * {@code Sphere::Sample}: every sample lands on the visible cap, so a small, bright sphere is found by
 * every sample instead of by the few paths that happen to hit it.
 */
final class SphereLight implements Light {
  // Below sin^2(1.5 degrees), 1 - cos(theta) cancels catastrophically; a Taylor expansion takes over.
  private static final double SMALL_ANGLE_SIN2 = 0.00068523;

  private final Sphere sphere;
  private final Rgb radiance;

  SphereLight(Sphere sphere, Rgb radiance) {
    this.sphere = sphere;
    this.radiance = radiance;
  }

  @Override
  public Sample sample(Vec3 p, double u1, double u2) {
    Vec3 toCenter = sphere.center().minus(p);
    double distance2 = toCenter.lengthSquared();
    double r = sphere.radius();
    if (distance2 <= r * r) {
      // Inside the sphere nothing of its (outward) emission arrives.
      return null;
    }
    double sin2ThetaMax = r * r / distance2;
    double sinThetaMax = Math.sqrt(sin2ThetaMax);
    double cosThetaMax = Math.sqrt(Math.max(0, 1 - sin2ThetaMax));
    double oneMinusCosThetaMax = 1 - cosThetaMax;
    double cosTheta = (cosThetaMax - 1) * u1 + 1;
    double sin2Theta = 1 - cosTheta * cosTheta;
    if (sin2ThetaMax < SMALL_ANGLE_SIN2) {
      sin2Theta = sin2ThetaMax * u1;
      cosTheta = Math.sqrt(1 - sin2Theta);
      oneMinusCosThetaMax = sin2ThetaMax / 2;
    }
    // The angle alpha at the centre between the direction to p and the sampled point on the sphere: from
    // it the point is computed on the surface exactly, not by intersecting the sampled ray.
    double cosAlpha = sin2Theta / sinThetaMax
        + cosTheta * Math.sqrt(Math.max(0, 1 - sin2Theta / sin2ThetaMax));
    double sinAlpha = Math.sqrt(Math.max(0, 1 - cosAlpha * cosAlpha));
    double phi = 2 * Math.PI * u2;
    Frame frame = Frame.fromZ(toCenter.times(1 / Math.sqrt(distance2)));
    Vec3 n = frame.fromLocal(-sinAlpha * StrictMath.cos(phi), -sinAlpha * StrictMath.sin(phi), -cosAlpha);
    Vec3 onLight = sphere.center().plusScaled(n, r);
    Vec3 toLight = onLight.minus(p);
    double distance = toLight.length();
    if (!(distance > 0)) {
      return null;
    }
    return new Sample(toLight.times(1 / distance), distance, radiance, 1 / (2 * Math.PI * oneMinusCosThetaMax), false);
  }

  @Override
  public double pdf(Vec3 p, Vec3 wi, SurfaceHit hit) {
    return pdf(p);
  }

  double pdf(Vec3 p) {
    double distance2 = sphere.center().minus(p).lengthSquared();
    double r = sphere.radius();
    if (distance2 <= r * r) {
      return 0;
    }
    double sin2ThetaMax = r * r / distance2;
    double oneMinusCosThetaMax = sin2ThetaMax < SMALL_ANGLE_SIN2
        ? sin2ThetaMax / 2
        : 1 - Math.sqrt(Math.max(0, 1 - sin2ThetaMax));
    return 1 / (2 * Math.PI * oneMinusCosThetaMax);
  }

  @Override
  public double power() {
    return Math.PI * 4 * Math.PI * sphere.radius() * sphere.radius() * radiance.luminance();
  }
}
