package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks the integrator's radiance (before tone mapping) against answers known in closed form. Every
 * estimate is deterministic (hashed sample values), so a tolerance here is about the estimator's noise at
 * the chosen sample count, not about flakiness.
 */
class PathIntegratorTest {
  private static final Material WHITE = new DiffuseMaterial(new Rgb(1, 1, 1));
  private static final Material GREY = new DiffuseMaterial(new Rgb(0.5, 0.5, 0.5));

  @Test
  void aWhiteSphereInAUniformSkyHasTheSkysRadiance() {
    // The white furnace: with albedo 1 and nothing but the sky around, the sphere must be invisible: every
    // pixel's expected radiance is the sky's. The sky is a sampled light now, so each path's estimate is a
    // MIS-weighted sum with noise: the image mean (256 x 64 paths) must be within 0.5%, every pixel (64
    // paths) within 6%, about four standard errors of this estimator.
    Scene scene = scene(List.of(new Primitive.SpherePrim(new Sphere(new Vec3(0, 0, 0), 1), WHITE, null)), new Rgb(0.5, 0.5, 0.5));
    PathTracer tracer = tracer(scene, 8, 16, 64);
    double sum = 0;
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        Rgb l = tracer.pixelRadiance(x, y);
        assertEquals(0.5, l.r(), 0.03, "pixel " + x + "," + y);
        assertEquals(l.r(), l.b(), 1e-12, "a grey scene stays grey");
        sum += l.g();
      }
    }
    assertEquals(0.5, sum / 256, 0.0025);
  }

  @Test
  void aWhiteSphereOnAWhiteFloorInAUniformSkyHasTheSkysRadiance() {
    // Paths now bounce between floor and sphere before escaping; each bounce must carry weight 1 on average
    // (Russian roulette included), so the image mean stays the sky's.
    Scene scene = scene(List.of(
        new Primitive.PlanePrim(new Plane(new Vec3(0, -1, 0), new Vec3(0, 1, 0)), WHITE),
        new Primitive.SpherePrim(new Sphere(new Vec3(0, 0, 0), 1), WHITE, null)), new Rgb(0.5, 0.5, 0.5));
    PathTracer tracer = tracer(scene, 64, 16, 64);
    double sum = 0;
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        double g = tracer.pixelRadiance(x, y).g();
        assertEquals(0.5, g, 0.05, "pixel " + x + "," + y);
        sum += g;
      }
    }
    assertEquals(0.5, sum / 256, 0.004);
  }

  /**
   * A grey floor under a spherical lamp of radius r whose centre is h above the floor point P: the
   * irradiance at P is pi * Le * (r/h)^2, so P's outgoing radiance is albedo * Le * (r/h)^2.
   */
  private static double directOnly(double r, double h, double le, boolean sampleLights, int samples) {
    Sphere lamp = new Sphere(new Vec3(0, h, 0), r);
    Rgb radiance = new Rgb(le, le, le);
    Scene scene = scene(List.of(
        new Primitive.PlanePrim(new Plane(new Vec3(0, 0, 0), new Vec3(0, 1, 0)), GREY),
        new Primitive.SpherePrim(lamp, new EmissiveMaterial(radiance), new SphereLight(lamp, radiance))), Rgb.BLACK);
    PathIntegrator integrator = new PathIntegrator(scene, 1, sampleLights);
    Vec3 eye = new Vec3(3, 1, 0.5);
    Ray toP = new Ray(eye, Vec3.ZERO.minus(eye).normalized());
    return mean(integrator, toP, samples);
  }

  @Test
  void directLightFromASphereMatchesTheClosedFormWithLightSampling() {
    double expected = 0.5 * 4 * (0.5 / 2) * (0.5 / 2);
    assertEquals(expected, directOnly(0.5, 2, 4, true, 20_000), expected * 0.01);
  }

  @Test
  void directLightFromASphereMatchesTheClosedFormWithBsdfSamplingAlone() {
    // Only 1 in 16 cosine-weighted directions hits the lamp: the estimate is noisy (standard error ~1.5% at
    // this count), but it must agree; counting the lamp twice would double it.
    double expected = 0.5 * 4 * (0.5 / 2) * (0.5 / 2);
    assertEquals(expected, directOnly(0.5, 2, 4, false, 80_000), expected * 0.06);
  }

  @Test
  void aTinyBrightLampConvergesWithLightSampling() {
    // sin^2 of the lamp's half-angle is 2.5e-5: the small-angle branch of the cone sampling, and a lamp
    // that BSDF sampling alone would find once in 40,000 paths.
    double expected = 0.5 * 40_000 * (0.01 / 2) * (0.01 / 2);
    assertEquals(expected, directOnly(0.01, 2, 40_000, true, 4_000), expected * 0.01);
  }

  @Test
  void aLargeNearbyLampMatchesTheClosedFormWithBothStrategiesWeighted() {
    // sin^2 of the half-angle is 0.64: light and BSDF sampling now find the lamp about equally often, so
    // each MIS weight matters (a small lamp leaves nearly all the weight to light sampling).
    double expected = 0.5 * 2 * 0.64;
    assertEquals(expected, directOnly(2, 2.5, 2, true, 20_000), expected * 0.01);
    assertEquals(expected, directOnly(2, 2.5, 2, false, 20_000), expected * 0.02);
  }

  @Test
  void theWallOfAnIntegratingSphereHasTheClosedFormRadiance() {
    // A lamp (radius r, radiance Le) at the centre of a closed diffuse sphere (radius R, albedo rho). Every
    // wall point sees the lamp under sin^2 = (r/R)^2 and, by the integrating sphere's symmetry, receives the
    // same share of every bounce: L = rho Le (r/R)^2 / (1 - rho (1 - (r/R)^2)). Light mostly arrives after
    // many bounces, which Russian roulette thins out: the answer is right only if roulette reweights.
    double r = 0.1;
    double rho = 0.8;
    double le = 100;
    Sphere lamp = new Sphere(Vec3.ZERO, r);
    Rgb radiance = new Rgb(le, le, le);
    Scene scene = scene(List.of(
        new Primitive.SpherePrim(new Sphere(Vec3.ZERO, 1), new DiffuseMaterial(new Rgb(rho, rho, rho)), null),
        new Primitive.SpherePrim(lamp, new EmissiveMaterial(radiance), new SphereLight(lamp, radiance))), Rgb.BLACK);
    double expected = rho * le * r * r / (1 - rho * (1 - r * r));
    Ray ray = new Ray(new Vec3(0, 0.5, 0), new Vec3(0.6, 0, 0.8));
    assertEquals(expected, mean(new PathIntegrator(scene, 64), ray, 20_000), expected * 0.02);
  }

  @Test
  void multipleImportanceSamplingAgreesWithBsdfSamplingInAnIndirectlyLitScene() {
    // Floor, a red ball and a lamp, several bounces and a sky: no closed form, but MIS and plain BSDF
    // sampling estimate the same integral.
    Sphere lamp = new Sphere(new Vec3(0, 2, 0), 0.6);
    Rgb le = new Rgb(5, 5, 4);
    List<Primitive> primitives = List.of(
        new Primitive.PlanePrim(new Plane(new Vec3(0, 0, 0), new Vec3(0, 1, 0)), GREY),
        new Primitive.SpherePrim(new Sphere(new Vec3(1, 0.7, 0), 0.7), new DiffuseMaterial(new Rgb(0.9, 0.2, 0.2)), null),
        new Primitive.SpherePrim(lamp, new EmissiveMaterial(le), new SphereLight(lamp, le)));
    Scene scene = scene(primitives, new Rgb(0.1, 0.1, 0.2));
    Vec3 eye = new Vec3(-3, 1.5, 1);
    Ray ray = new Ray(eye, new Vec3(0.3, 0, 0).minus(eye).normalized());
    double mis = mean(new PathIntegrator(scene, 5, true), ray, 40_000);
    double bsdf = mean(new PathIntegrator(scene, 5, false), ray, 160_000);
    assertEquals(bsdf, mis, bsdf * 0.04);
  }

  @Test
  void theLampIsBrighterThanTheFloorInItsShadow() {
    // A lamp high above the floor with a ball in between: the floor under the ball is in its umbra.
    Sphere lamp = new Sphere(new Vec3(0, 3, 0), 0.2);
    Rgb le = new Rgb(30, 30, 30);
    Scene scene = scene(List.of(
        new Primitive.PlanePrim(new Plane(new Vec3(0, 0, 0), new Vec3(0, 1, 0)), GREY),
        new Primitive.SpherePrim(new Sphere(new Vec3(0, 1.5, 0), 0.5), GREY, null),
        new Primitive.SpherePrim(lamp, new EmissiveMaterial(le), new SphereLight(lamp, le))), Rgb.BLACK);
    int width = 64;
    int height = 64;
    Vec3 eye = new Vec3(0, 1.5, 6);
    Vec3 target = new Vec3(0, 1.5, 0);
    PathTracer tracer = new PathTracer(new ThinLensCamera(eye, target, new Vec3(0, 1, 0), 60, width, height, 0, 1),
        new PathIntegrator(scene, 4), 64, 5, false, 1, 0);
    int[] lampPixel = project(new Vec3(0, 3, 0), eye, target, 60, width, height);
    int[] shadowPixel = project(new Vec3(0, 0, 0.1), eye, target, 60, width, height);
    int[] litPixel = project(new Vec3(1.8, 0, 0.5), eye, target, 60, width, height);
    double lampL = tracer.pixelRadiance(lampPixel[0], lampPixel[1]).g();
    double shadowL = tracer.pixelRadiance(shadowPixel[0], shadowPixel[1]).g();
    double litL = tracer.pixelRadiance(litPixel[0], litPixel[1]).g();
    assertEquals(30, lampL, 1e-9, "the lamp seen directly");
    assertTrue(litL > 0.01, "lit floor " + litL);
    assertTrue(shadowL < litL / 4, "shadowed floor " + shadowL + " vs lit floor " + litL);
  }

  /** The pixel of a pinhole {@link ThinLensCamera} that sees world point p (same conventions as the camera). */
  private static int[] project(Vec3 p, Vec3 eye, Vec3 target, double fov, int width, int height) {
    Vec3 forward = target.minus(eye).normalized();
    Vec3 right = forward.cross(new Vec3(0, 1, 0)).normalized();
    Vec3 up = right.cross(forward);
    Vec3 d = p.minus(eye);
    double depth = d.dot(forward);
    double halfHeight = Math.tan(Math.toRadians(fov) / 2);
    double sx = d.dot(right) / depth / (halfHeight * width / height);
    double sy = d.dot(up) / depth / halfHeight;
    return new int[] {(int) ((sx + 1) / 2 * width), (int) ((1 - sy) / 2 * height)};
  }

  static Scene scene(List<Primitive> primitives, Rgb sky) {
    List<Light> lights = new ArrayList<>();
    for (Primitive p : primitives) {
      if (p instanceof Primitive.SpherePrim s && s.light() != null) {
        lights.add(s.light());
      }
    }
    EnvironmentLight env = sky.isBlack() ? null : EnvironmentLight.uniform(sky, 10);
    return new Scene(new Accel(primitives), lights, env);
  }

  static PathTracer tracer(Scene scene, int maxDepth, int size, int samples) {
    Camera camera = new ThinLensCamera(new Vec3(0, 0.3, 4), Vec3.ZERO, new Vec3(0, 1, 0), 50, size, size, 0, 1);
    return new PathTracer(camera, new PathIntegrator(scene, maxDepth), samples, 99, false, 1, 0);
  }

  static double mean(Integrator integrator, Ray ray, int samples) {
    HashSampler sampler = new HashSampler(2024);
    Scratch scratch = new Scratch();
    double sum = 0;
    for (int i = 0; i < samples; i++) {
      sampler.startPixelSample(0, 0, i);
      sum += integrator.li(ray, sampler, scratch).g();
    }
    return sum / samples;
  }
}
