package dev.tilefarm.worker.render.path;

/**
 * A point light of radiant intensity {@code intensity}, optionally a spot: full strength within
 * {@code cosInner} of {@code direction}, fading smoothly (smoothstep in the cosine) to nothing at
 * {@code cosOuter}. A point light is a delta light: no path can hit it, only sampling finds it.
 */
final class PointLight implements Light {
  private final Vec3 position;
  private final Rgb intensity;
  private final Vec3 direction;
  private final double cosOuter;
  private final double cosInner;

  /** An omnidirectional point light. */
  PointLight(Vec3 position, Rgb intensity) {
    this(position, intensity, null, -2, -1);
  }

  /** A spot light shining along the unit vector {@code direction}. */
  PointLight(Vec3 position, Rgb intensity, Vec3 direction, double cosOuter, double cosInner) {
    this.position = position;
    this.intensity = intensity;
    this.direction = direction;
    this.cosOuter = cosOuter;
    this.cosInner = cosInner;
  }

  @Override
  public Sample sample(Vec3 p, double u1, double u2) {
    Vec3 toLight = position.minus(p);
    double d2 = toLight.lengthSquared();
    if (!(d2 > 0)) {
      return null;
    }
    double d = Math.sqrt(d2);
    Vec3 wi = toLight.times(1 / d);
    double falloff = 1;
    if (direction != null) {
      falloff = smoothstep(cosOuter, cosInner, -wi.dot(direction));
      if (falloff == 0) {
        return null;
      }
    }
    return new Sample(wi, d, intensity.times(falloff / d2), 1, true);
  }

  private static double smoothstep(double lo, double hi, double x) {
    if (x <= lo) {
      return 0;
    }
    if (x >= hi) {
      return 1;
    }
    double t = (x - lo) / (hi - lo);
    return t * t * (3 - 2 * t);
  }

  @Override
  public double pdf(Vec3 p, Vec3 wi, SurfaceHit hit) {
    return 0;
  }

  @Override
  public double power() {
    double solidAngle = direction == null ? 4 * Math.PI : 2 * Math.PI * (1 - (cosInner + cosOuter) / 2);
    return solidAngle * intensity.luminance();
  }
}
