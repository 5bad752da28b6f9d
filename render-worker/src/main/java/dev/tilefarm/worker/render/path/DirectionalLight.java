package dev.tilefarm.worker.render.path;

/** Light from infinitely far away, travelling along the unit vector {@code direction}, with irradiance {@code irradiance}. */
final class DirectionalLight implements Light {
  private final Vec3 toLight;
  private final Rgb irradiance;
  private final double sceneRadius;

  DirectionalLight(Vec3 direction, Rgb irradiance, double sceneRadius) {
    this.toLight = direction.negate();
    this.irradiance = irradiance;
    this.sceneRadius = sceneRadius;
  }

  @Override
  public Sample sample(Vec3 p, double u1, double u2) {
    return new Sample(toLight, Double.POSITIVE_INFINITY, irradiance, 1, true);
  }

  @Override
  public double pdf(Vec3 p, Vec3 wi, SurfaceHit hit) {
    return 0;
  }

  @Override
  public double power() {
    return Math.PI * sceneRadius * sceneRadius * irradiance.luminance();
  }
}
