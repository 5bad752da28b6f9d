package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A white furnace for every BSDF: with its brightest parameters (albedo or F0 of 1) no material may reflect
 * more than it receives, and sampling must be consistent with evaluation. For each material and several
 * viewing angles:
 *
 * <ul>
 *   <li>the directional albedo, estimated by importance sampling as the mean of f cos / pdf, is at most 1
 *       (within the estimator's noise, 4 standard errors);
 *   <li>a sampled direction's {@code f} and {@code pdf} equal {@link Bsdf#f} and {@link Bsdf#pdf} there;
 *   <li>the sampling density integrates to at most 1 over the sphere (a uniform-sphere estimate), and to
 *       about 1 for lobes that never fail to sample.
 * </ul>
 *
 * Lossless cases are exact: a diffuse albedo of 1 and a mirror of F0 1 reflect everything; smooth glass
 * reflects plus transmits everything (in power: its 1/eta^2 radiance scaling is undone here).
 */
class BsdfEnergyTest {
  private static final Vec3 N = new Vec3(0, 0, 1);
  private static final int SAMPLES = 40_000;

  private record Case(String name, Function<Vec3, Bsdf> make, boolean lossless) {}

  private static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("lambertian albedo 1", wo -> new LambertianBsdf(Rgb.WHITE, N), true));
    cases.add(new Case("mirror F0 1", wo -> new MirrorBsdf(Rgb.WHITE, N), true));
    for (double r : new double[] {0.05, 0.2, 0.5, 1}) {
      cases.add(new Case("ggx conductor roughness " + r, wo -> new MicrofacetBsdf(Rgb.WHITE, new Ggx(r), N), false));
    }
    for (double m : new double[] {0, 0.5, 1}) {
      for (double r : new double[] {0.05, 0.5, 1}) {
        cases.add(new Case("pbr metallic " + m + " roughness " + r, wo -> new PbrBsdf(Rgb.WHITE, m, r, N, wo), false));
      }
    }
    return cases;
  }

  private static final double[] COS_THETA_O = {1, 0.8, 0.5, 0.2, 0.05};

  @TestFactory
  List<DynamicTest> noMaterialReflectsMoreThanItReceivesAndSamplingMatchesEvaluation() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : cases()) {
      for (double cosO : COS_THETA_O) {
        tests.add(DynamicTest.dynamicTest(c.name() + ", cos theta_o " + cosO, () -> check(c, cosO)));
      }
    }
    return tests;
  }

  private static void check(Case c, double cosO) {
    Vec3 wo = new Vec3(Math.sqrt(1 - cosO * cosO), 0, cosO);
    Bsdf bsdf = c.make().apply(wo);
    HashSampler u = new HashSampler(17);
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < SAMPLES; i++) {
      u.startPixelSample(i, 0, 0);
      Bsdf.Sample s = bsdf.sample(wo, u.get1D(), u.get1D(), u.get1D());
      double w = 0;
      if (s != null) {
        double cos = Math.abs(s.wi().dot(N));
        w = s.f().g() * cos / s.pdf();
        assertTrue(w >= 0 && Double.isFinite(w), "weight " + w);
        if (!s.specular()) {
          assertEquals(bsdf.pdf(wo, s.wi()), s.pdf(), 1e-9 * s.pdf(), "sampled pdf vs pdf()");
          assertEquals(bsdf.f(wo, s.wi()).g(), s.f().g(), 1e-9 * s.f().g() + 1e-300, "sampled f vs f()");
        }
      }
      sum += w;
      sumSq += w * w;
    }
    double albedo = sum / SAMPLES;
    double stderr = Math.sqrt(Math.max(0, sumSq / SAMPLES - albedo * albedo) / SAMPLES);
    assertTrue(albedo <= 1 + 4 * stderr + 1e-9, c.name() + ": albedo " + albedo + " +- " + stderr);
    if (c.lossless()) {
      assertEquals(1, albedo, 1e-9, c.name() + " loses energy");
    }
    if (!(bsdf instanceof MirrorBsdf) && !c.name().contains("roughness 0.05")) {
      // Integral of the density over the sphere by uniform sampling: at most 1. (Skipped for the sharpest
      // lobes, whose density a uniform estimate cannot resolve at this sample count; their sampled pdf is
      // still checked against pdf() above.)
      double integral = 0;
      for (int i = 0; i < SAMPLES; i++) {
        u.startPixelSample(i, 1, 0);
        double z = 1 - 2 * u.get1D();
        double r = Math.sqrt(Math.max(0, 1 - z * z));
        double phi = 2 * Math.PI * u.get1D();
        Vec3 wi = new Vec3(r * Math.cos(phi), r * Math.sin(phi), z);
        integral += bsdf.pdf(wo, wi) * 4 * Math.PI;
      }
      integral /= SAMPLES;
      assertTrue(integral <= 1.03, c.name() + ": pdf integrates to " + integral);
      if (c.lossless()) {
        assertEquals(1, integral, 0.02, c.name() + ": pdf integrates to " + integral);
      }
    }
  }

  @TestFactory
  List<DynamicTest> smoothGlassReflectsPlusTransmitsEverythingFromEitherSide() {
    List<DynamicTest> tests = new ArrayList<>();
    for (double ior : new double[] {1.33, 1.5, 2.4}) {
      for (double cos : new double[] {1, 0.7, 0.3, 0.1, -0.2, -0.6, -0.95}) {
        tests.add(DynamicTest.dynamicTest("ior " + ior + ", cos " + cos, () -> {
          GlassBsdf glass = new GlassBsdf(ior, Rgb.WHITE, N);
          Vec3 wo = new Vec3(Math.sqrt(1 - cos * cos), 0, cos);
          HashSampler u = new HashSampler(5);
          double power = 0;
          int n = 20_000;
          for (int i = 0; i < n; i++) {
            u.startPixelSample(i, 0, 0);
            Bsdf.Sample s = glass.sample(wo, u.get1D(), u.get1D(), u.get1D());
            double w = s.f().g() * Math.abs(s.wi().dot(N)) / s.pdf();
            boolean transmitted = s.wi().z() * cos < 0;
            if (transmitted) {
              // Radiance is scaled by 1/eta^2 going in (eta^2 coming out); power is not.
              double eta = cos > 0 ? ior : 1 / ior;
              w *= eta * eta;
              // Snell: the transmitted direction's sine is the incident one over eta.
              assertEquals(Math.sqrt(1 - cos * cos) / eta, Math.sqrt(1 - s.wi().z() * s.wi().z()), 1e-9);
            } else {
              assertEquals(cos, s.wi().z(), 1e-12, "mirror reflection");
            }
            power += w;
          }
          assertEquals(1, power / n, 1e-9);
        }));
      }
    }
    return tests;
  }
}
