package dev.tilefarm.worker.render.path;

/**
 * Radiance arriving from infinitely far away in every direction no object blocks: a uniform sky colour, or
 * an equirectangular HDR map importance-sampled by luminance x sin(theta) (pbrt's {@code ImageInfiniteLight},
 * nearest texel so that the density matches the piecewise-constant radiance exactly).
 *
 * <p>Mapping: +y is up; the image's top row is straight up; its centre column faces -z, and u grows toward
 * +x. {@code rotation} turns the map about +y.
 */
final class EnvironmentLight implements Light {
  private final Rgb uniform;
  private final HdrImage map;
  private final double strength;
  private final double rotation;
  private final Distribution1D marginal;
  private final Distribution1D[] conditional;
  private final double sceneRadius;
  private final double power;

  static EnvironmentLight uniform(Rgb radiance, double sceneRadius) {
    return new EnvironmentLight(radiance, null, 1, 0, sceneRadius);
  }

  static EnvironmentLight map(HdrImage map, double strength, double rotationDegrees, double sceneRadius) {
    return new EnvironmentLight(null, map, strength, Math.toRadians(rotationDegrees), sceneRadius);
  }

  private EnvironmentLight(Rgb uniform, HdrImage map, double strength, double rotation, double sceneRadius) {
    this.uniform = uniform;
    this.map = map;
    this.strength = strength;
    this.rotation = rotation;
    this.sceneRadius = sceneRadius;
    if (map == null) {
      this.marginal = null;
      this.conditional = null;
      this.power = 4 * Math.PI * Math.PI * sceneRadius * sceneRadius * uniform.luminance();
      return;
    }
    int w = map.width;
    int h = map.height;
    this.conditional = new Distribution1D[h];
    double[] rows = new double[h];
    double sum = 0;
    for (int y = 0; y < h; y++) {
      double sinTheta = StrictMath.sin(Math.PI * (y + 0.5) / h);
      double[] weights = new double[w];
      for (int x = 0; x < w; x++) {
        int o = 3 * (y * w + x);
        weights[x] = (0.2126 * map.rgb[o] + 0.7152 * map.rgb[o + 1] + 0.0722 * map.rgb[o + 2]) * sinTheta;
        sum += weights[x] / sinTheta;
      }
      conditional[y] = new Distribution1D(weights);
      rows[y] = conditional[y].integral;
    }
    this.marginal = new Distribution1D(rows);
    this.power = 4 * Math.PI * Math.PI * sceneRadius * sceneRadius * strength * sum / ((double) w * h);
  }

  /** The radiance arriving along the unit direction {@code -dir} from direction {@code dir}. */
  Rgb radiance(Vec3 dir) {
    if (map == null) {
      return uniform;
    }
    double theta = StrictMath.acos(Math.max(-1, Math.min(1, dir.y())));
    double phi = StrictMath.atan2(dir.x(), -dir.z()) - rotation;
    double u = phi / (2 * Math.PI) + 0.5;
    u -= Math.floor(u);
    int x = Math.min(map.width - 1, (int) (u * map.width));
    int y = Math.min(map.height - 1, (int) (theta / Math.PI * map.height));
    int o = 3 * (y * map.width + x);
    return new Rgb(map.rgb[o] * strength, map.rgb[o + 1] * strength, map.rgb[o + 2] * strength);
  }

  @Override
  public Sample sample(Vec3 p, double u1, double u2) {
    if (map == null) {
      double z = 1 - 2 * u1;
      double r = Math.sqrt(Math.max(0, 1 - z * z));
      double phi = 2 * Math.PI * u2;
      Vec3 wi = new Vec3(r * StrictMath.cos(phi), z, r * StrictMath.sin(phi));
      return new Sample(wi, Double.POSITIVE_INFINITY, uniform, 1 / (4 * Math.PI), false);
    }
    int row = marginal.cell(u1);
    double v = marginal.sample(u1, row);
    Distribution1D cond = conditional[row];
    int col = cond.cell(u2);
    double u = cond.sample(u2, col);
    double pdfUv = marginal.pdf(row) * cond.pdf(col);
    double theta = v * Math.PI;
    double sinTheta = StrictMath.sin(theta);
    if (!(pdfUv > 0) || !(sinTheta > 0)) {
      return null;
    }
    double phi = (u - 0.5) * 2 * Math.PI + rotation;
    Vec3 wi = new Vec3(sinTheta * StrictMath.sin(phi), StrictMath.cos(theta), -sinTheta * StrictMath.cos(phi));
    return new Sample(wi, Double.POSITIVE_INFINITY, radiance(wi), pdfUv / (2 * Math.PI * Math.PI * sinTheta), false);
  }

  @Override
  public double pdf(Vec3 p, Vec3 wi, SurfaceHit hit) {
    if (map == null) {
      return 1 / (4 * Math.PI);
    }
    double theta = StrictMath.acos(Math.max(-1, Math.min(1, wi.y())));
    double sinTheta = StrictMath.sin(theta);
    if (!(sinTheta > 0)) {
      return 0;
    }
    double phi = StrictMath.atan2(wi.x(), -wi.z()) - rotation;
    double u = phi / (2 * Math.PI) + 0.5;
    u -= Math.floor(u);
    int x = Math.min(map.width - 1, (int) (u * map.width));
    int y = Math.min(map.height - 1, (int) (theta / Math.PI * map.height));
    return marginal.pdf(y) * conditional[y].pdf(x) / (2 * Math.PI * Math.PI * sinTheta);
  }

  @Override
  public double power() {
    return power;
  }

  double sceneRadius() {
    return sceneRadius;
  }
}
