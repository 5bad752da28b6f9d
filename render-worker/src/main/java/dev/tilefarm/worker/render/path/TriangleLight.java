package dev.tilefarm.worker.render.path;

/**
 * One emissive triangle in world space, sampled uniformly by area; its emission comes from its material at
 * the sampled texture coordinates, from the side {@code normal} faces (the same side {@link Accel} reports
 * as the hit's front, so hitting and sampling agree).
 */
final class TriangleLight implements Light {
  private final Vec3 p0;
  private final Vec3 e1;
  private final Vec3 e2;
  private final Vec3 normal;
  private final double area;
  private final double[] uv;
  private final Material material;

  /** @param uv u, v of the three corners (6 values) */
  TriangleLight(Vec3 p0, Vec3 p1, Vec3 p2, Vec3 normal, double[] uv, Material material) {
    this.p0 = p0;
    this.e1 = p1.minus(p0);
    this.e2 = p2.minus(p0);
    this.area = e1.cross(e2).length() / 2;
    this.normal = normal;
    this.uv = uv;
    this.material = material;
  }

  @Override
  public Sample sample(Vec3 p, double u1, double u2) {
    if (!(area > 0)) {
      return null;
    }
    // Uniform barycentrics (pbrt's SampleUniformTriangle, square-root form).
    double su = Math.sqrt(u1);
    double b1 = 1 - su;
    double b2 = u2 * su;
    Vec3 onLight = p0.plusScaled(e1, b1).plusScaled(e2, b2);
    Vec3 toLight = onLight.minus(p);
    double d2 = toLight.lengthSquared();
    double d = Math.sqrt(d2);
    if (!(d > 0)) {
      return null;
    }
    Vec3 wi = toLight.times(1 / d);
    double cosLight = -wi.dot(normal);
    if (cosLight <= 0) {
      return null;
    }
    double u = uv[0] + b1 * (uv[2] - uv[0]) + b2 * (uv[4] - uv[0]);
    double v = uv[1] + b1 * (uv[3] - uv[1]) + b2 * (uv[5] - uv[1]);
    Rgb l = material.emission(u, v);
    return new Sample(wi, d, l, d2 / (cosLight * area), false);
  }

  @Override
  public double pdf(Vec3 p, Vec3 wi, SurfaceHit hit) {
    double cosLight = -wi.dot(normal);
    if (cosLight <= 0 || !(area > 0)) {
      return 0;
    }
    double d2 = hit.point().minus(p).lengthSquared();
    return d2 / (cosLight * area);
  }

  @Override
  public double power() {
    return Math.PI * area * material.maxEmission();
  }
}
