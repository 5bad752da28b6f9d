package dev.tilefarm.worker.render.path;

import java.util.List;

/**
 * A unidirectional path tracer in the manner of pbrt-v4's {@code PathIntegrator}. At each diffuse vertex it
 * takes two samples of the light arriving there: one toward a light (next-event estimation, which finds
 * small bright lights that BSDF sampling would rarely hit) and one by sampling the BSDF (which continues the
 * path and is better for large lights). Emission reached by either strategy is weighted by the power
 * heuristic (Veach, 1997), so that each strategy counts where it is good and nothing is counted twice.
 *
 * <p>Paths make at most {@code maxDepth} bounces. The first three are always traced; from the fourth on, a
 * path whose throughput has fallen below 1 continues with probability equal to its throughput (Russian
 * roulette) and is reweighted to stay unbiased.
 *
 * <p>Sky radiance and emissive planes are not sampled directly (the sky is not a {@link Light}), so they are
 * counted with full weight when a path reaches them.
 */
final class PathIntegrator implements Integrator {
  private static final int ALWAYS_TRACED_BOUNCES = 3;
  // Shadow rays stop this fraction short of the sampled light point, so as not to hit the light itself.
  private static final double SHADOW_SHORTENING = 1e-7;

  private final Scene scene;
  private final List<Light> lights;
  private final int maxDepth;
  private final boolean sampleLights;

  PathIntegrator(Scene scene, int maxDepth) {
    this(scene, maxDepth, true);
  }

  /**
   * @param sampleLights false for pure BSDF sampling (pbrt's {@code SimplePathIntegrator} without light
   *     sampling): unbiased but slow to converge, which makes it a reference to check the MIS weights against
   */
  PathIntegrator(Scene scene, int maxDepth, boolean sampleLights) {
    if (maxDepth < 0) {
      throw new IllegalArgumentException("maxDepth must be >= 0, got " + maxDepth);
    }
    this.scene = scene;
    this.lights = scene.lights();
    this.maxDepth = maxDepth;
    this.sampleLights = sampleLights && !lights.isEmpty();
  }

  @Override
  public Rgb li(Ray cameraRay, Sampler sampler) {
    Rgb radiance = Rgb.BLACK;
    Rgb beta = Rgb.WHITE;
    Ray ray = cameraRay;
    // The vertex the current ray left and the BSDF density that chose its direction, for MIS weights.
    Vec3 previousPoint = null;
    double previousBsdfPdf = 0;
    for (int depth = 0; ; depth++) {
      SurfaceHit hit = scene.aggregate().intersect(ray, Double.POSITIVE_INFINITY);
      if (hit == null) {
        radiance = radiance.plus(beta.times(scene.sky()));
        break;
      }
      Vec3 wo = ray.direction().negate();
      Rgb emitted = hit.material().emitted(hit, wo);
      if (!emitted.isBlack()) {
        Light light = hit.primitive().light();
        if (depth == 0 || light == null || !sampleLights) {
          radiance = radiance.plus(beta.times(emitted));
        } else {
          double lightPdf = light.pdf(previousPoint, ray.direction()) / lights.size();
          radiance = radiance.plus(beta.times(emitted).times(powerHeuristic(previousBsdfPdf, lightPdf)));
        }
      }
      Bsdf bsdf = hit.material().bsdf(hit, wo);
      if (bsdf == null || depth == maxDepth) {
        break;
      }
      if (sampleLights) {
        radiance = radiance.plus(beta.times(sampleOneLight(hit, wo, bsdf, sampler)));
      }

      Bsdf.Sample bs = bsdf.sample(wo, sampler.get1D(), sampler.get1D());
      if (bs == null || bs.f().isBlack()) {
        break;
      }
      beta = beta.times(bs.f().times(Math.abs(bsdf.normal().dot(bs.wi())) / bs.pdf()));
      previousPoint = hit.point();
      previousBsdfPdf = bs.pdf();
      ray = hit.spawn(bs.wi());

      int bounces = depth + 1;
      double betaMax = beta.max();
      if (bounces > ALWAYS_TRACED_BOUNCES && betaMax < 1) {
        double q = Math.max(0, 1 - betaMax);
        if (sampler.get1D() < q) {
          break;
        }
        beta = beta.times(1 / (1 - q));
      }
    }
    return radiance;
  }

  /**
   * Next-event estimation: the light arriving at {@code hit} from one light chosen uniformly, MIS-weighted
   * against the chance that BSDF sampling would have found the same direction. Always draws three values,
   * so the path's later dimensions do not depend on whether the light was visible.
   */
  private Rgb sampleOneLight(SurfaceHit hit, Vec3 wo, Bsdf bsdf, Sampler sampler) {
    double uLight = sampler.get1D();
    double u1 = sampler.get1D();
    double u2 = sampler.get1D();
    int n = lights.size();
    Light light = lights.get(Math.min((int) (uLight * n), n - 1));
    Light.Sample ls = light.sample(hit.point(), u1, u2);
    if (ls == null || !(ls.pdf() > 0) || ls.radiance().isBlack()) {
      return Rgb.BLACK;
    }
    Rgb f = bsdf.f(wo, ls.wi());
    double cos = Math.abs(bsdf.normal().dot(ls.wi()));
    if (f.isBlack() || cos == 0) {
      return Rgb.BLACK;
    }
    double tMax = ls.distance() * (1 - SHADOW_SHORTENING) - hit.offset();
    if (tMax > 0 && scene.aggregate().occluded(hit.spawn(ls.wi()), tMax)) {
      return Rgb.BLACK;
    }
    double lightPdf = ls.pdf() / n;
    double weight = powerHeuristic(lightPdf, bsdf.pdf(wo, ls.wi()));
    return f.times(ls.radiance()).times(cos * weight / lightPdf);
  }

  /** Veach's power heuristic (beta = 2) for one sample from each of two strategies. */
  static double powerHeuristic(double pdfChosen, double pdfOther) {
    if (Double.isInfinite(pdfChosen)) {
      return 1;
    }
    double a = pdfChosen * pdfChosen;
    double b = pdfOther * pdfOther;
    return a + b == 0 ? 0 : a / (a + b);
  }
}
