package dev.tilefarm.worker.render.path;

/**
 * A unidirectional path tracer in the manner of pbrt-v4's {@code PathIntegrator}. At each non-specular
 * vertex it takes two samples of the light arriving there: one toward a light chosen in proportion to its
 * power (next-event estimation, which finds small bright lights that BSDF sampling would rarely hit) and one
 * by sampling the BSDF (which continues the path and is better for large lights and glossy surfaces).
 * Emission reached by either strategy is weighted by the power heuristic (Veach, 1997), so that each
 * strategy counts where it is good and nothing is counted twice. Delta lights (point, spot, directional) can
 * only be sampled, and specular bounces (mirrors, glass) can only be followed, so those take full weight.
 *
 * <p>Paths make at most {@code maxDepth} bounces. The first three are always traced; from the fourth on, a
 * path whose throughput has fallen below 1 continues with probability equal to its throughput (Russian
 * roulette) and is reweighted to stay unbiased.
 *
 * <p>Each bounce draws a fixed number of sample dimensions (3 for the light, 3 for the BSDF, 1 for roulette)
 * whatever happens, so a path's later dimensions never depend on whether a light was visible.
 */
final class PathIntegrator implements Integrator {
  private static final int ALWAYS_TRACED_BOUNCES = 3;
  // Shadow rays stop this fraction short of the sampled light point, so as not to hit the light itself.
  private static final double SHADOW_SHORTENING = 1e-7;

  private final Scene scene;
  private final LightSampler lights;
  private final int maxDepth;
  private final boolean sampleLights;

  PathIntegrator(Scene scene, int maxDepth) {
    this(scene, maxDepth, true);
  }

  /**
   * @param sampleLights false for pure BSDF sampling (pbrt's {@code SimplePathIntegrator} without light
   *     sampling): unbiased but slow to converge (and blind to delta lights), which makes it a reference to
   *     check the MIS weights against
   */
  PathIntegrator(Scene scene, int maxDepth, boolean sampleLights) {
    if (maxDepth < 0) {
      throw new IllegalArgumentException("maxDepth must be >= 0, got " + maxDepth);
    }
    this.scene = scene;
    this.lights = new LightSampler(scene.lights());
    this.maxDepth = maxDepth;
    this.sampleLights = sampleLights && !lights.isEmpty();
  }

  @Override
  public Rgb li(Ray cameraRay, Sampler sampler, Scratch scratch) {
    double lr = 0;
    double lg = 0;
    double lb = 0;
    Rgb beta = Rgb.WHITE;
    Ray ray = cameraRay;
    // The vertex the current ray left, the BSDF density that chose its direction and whether it was specular.
    Vec3 previousPoint = null;
    double previousBsdfPdf = 0;
    boolean previousSpecular = false;
    for (int depth = 0; ; depth++) {
      SurfaceHit hit = scene.aggregate().intersect(ray, Double.POSITIVE_INFINITY, scratch);
      if (hit == null) {
        EnvironmentLight env = scene.environment();
        if (env != null) {
          Rgb le = beta.times(env.radiance(ray.direction()));
          double w = 1;
          if (depth > 0 && !previousSpecular && sampleLights) {
            w = powerHeuristic(previousBsdfPdf, lights.pmf(env) * env.pdf(previousPoint, ray.direction(), null));
          }
          lr += le.r() * w;
          lg += le.g() * w;
          lb += le.b() * w;
        }
        break;
      }
      Vec3 wo = ray.direction().negate();
      Material material = hit.material();
      Rgb emitted = material.emitted(hit, wo);
      if (!emitted.isBlack()) {
        Light light = hit.light();
        double w = 1;
        if (depth > 0 && !previousSpecular && light != null && sampleLights) {
          w = powerHeuristic(previousBsdfPdf, lights.pmf(light) * light.pdf(previousPoint, ray.direction(), hit));
        }
        Rgb le = beta.times(emitted);
        lr += le.r() * w;
        lg += le.g() * w;
        lb += le.b() * w;
      }
      Bsdf bsdf = material.bsdf(hit, wo);
      if (bsdf == null || depth == maxDepth) {
        break;
      }
      double uLight = sampler.get1D();
      double ul1 = sampler.get1D();
      double ul2 = sampler.get1D();
      if (sampleLights && !bsdf.specularOnly()) {
        Rgb direct = beta.times(sampleOneLight(hit, wo, bsdf, uLight, ul1, ul2, scratch));
        lr += direct.r();
        lg += direct.g();
        lb += direct.b();
      }

      Bsdf.Sample bs = bsdf.sample(wo, sampler.get1D(), sampler.get1D(), sampler.get1D());
      double uRoulette = sampler.get1D();
      if (bs == null || bs.f().isBlack() || !(bs.pdf() > 0)) {
        break;
      }
      beta = beta.times(bs.f().times(Math.abs(bsdf.normal().dot(bs.wi())) / bs.pdf()));
      previousPoint = hit.point();
      previousBsdfPdf = bs.pdf();
      previousSpecular = bs.specular();
      ray = hit.spawn(bs.wi());

      int bounces = depth + 1;
      double betaMax = beta.max();
      if (bounces > ALWAYS_TRACED_BOUNCES && betaMax < 1) {
        double q = Math.max(0, 1 - betaMax);
        if (uRoulette < q) {
          break;
        }
        beta = beta.times(1 / (1 - q));
      }
    }
    return new Rgb(lr, lg, lb);
  }

  /**
   * Next-event estimation: the light arriving at {@code hit} from one light chosen by power, MIS-weighted
   * against the chance that BSDF sampling would have found the same direction.
   */
  private Rgb sampleOneLight(SurfaceHit hit, Vec3 wo, Bsdf bsdf, double uLight, double u1, double u2,
      Scratch scratch) {
    Light light = lights.choose(uLight);
    double pmf = lights.pmf(light);
    if (!(pmf > 0)) {
      return Rgb.BLACK;
    }
    Light.Sample ls = light.sample(hit.point(), u1, u2);
    if (ls == null || !(ls.pdf() > 0) || ls.radiance().isBlack()) {
      return Rgb.BLACK;
    }
    Rgb f = bsdf.f(wo, ls.wi());
    double cos = Math.abs(bsdf.normal().dot(ls.wi()));
    if (f.isBlack() || cos == 0) {
      return Rgb.BLACK;
    }
    double tMax = Double.isInfinite(ls.distance()) ? Double.POSITIVE_INFINITY
        : ls.distance() * (1 - SHADOW_SHORTENING) - hit.offset();
    if (tMax > 0 && scene.aggregate().occluded(hit.spawn(ls.wi()), tMax, scratch)) {
      return Rgb.BLACK;
    }
    double lightPdf = pmf * ls.pdf();
    double weight = ls.delta() ? 1 : powerHeuristic(lightPdf, bsdf.pdf(wo, ls.wi()));
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
