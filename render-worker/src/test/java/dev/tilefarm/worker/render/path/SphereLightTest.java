package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SphereLightTest {
  /** Radii from wide to tiny (the last ones take the small-angle branch). */
  @ParameterizedTest
  @ValueSource(doubles = {1.5, 0.5, 0.05, 0.001})
  void samplesLieOnTheVisibleCapUniformlyOverTheCone(double radius) {
    Sphere sphere = new Sphere(new Vec3(1, 2, -1), radius);
    SphereLight light = new SphereLight(sphere, Rgb.WHITE);
    Vec3 p = new Vec3(-0.5, 0.3, 0.4);
    Vec3 axis = sphere.center().minus(p).normalized();
    double sin2Max = radius * radius / sphere.center().minus(p).lengthSquared();
    double cosMax = Math.sqrt(1 - sin2Max);
    HashSampler u = new HashSampler(1);
    int n = 20_000;
    double sumCos = 0;
    for (int i = 0; i < n; i++) {
      u.startPixelSample(i, 0, 0);
      Light.Sample s = light.sample(p, u.get1D(), u.get1D());
      // The sampled point is on the sphere, on the side facing p, and a ray toward it hits it there.
      Vec3 onLight = p.plusScaled(s.wi(), s.distance());
      assertEquals(radius, onLight.minus(sphere.center()).length(), radius * 1e-6);
      assertTrue(sphere.normalAt(onLight).dot(s.wi()) <= 1e-9, "sample on the far side");
      double t = sphere.intersect(new Ray(p, s.wi()), Double.POSITIVE_INFINITY);
      assertEquals(s.distance(), t, s.distance() * 1e-6);
      assertEquals(s.pdf(), light.pdf(p, s.wi(), null), s.pdf() * 1e-12);
      sumCos += s.wi().dot(axis);
    }
    // Uniform over the cone means cos(theta) is uniform on [cos(thetaMax), 1].
    double spread = 1 - cosMax;
    assertEquals((1 + cosMax) / 2, sumCos / n, spread * 0.02);
    assertEquals(1 / (2 * Math.PI * spread), light.sample(p, 0.3, 0.6).pdf(), 1 / (2 * Math.PI * spread) * 1e-3);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 0.9})
  void aPointInsideTheLampReceivesNothingFromIt(double offset) {
    SphereLight light = new SphereLight(new Sphere(Vec3.ZERO, 1), Rgb.WHITE);
    assertNull(light.sample(new Vec3(offset, 0, 0), 0.5, 0.5));
    assertEquals(0, light.pdf(new Vec3(offset, 0, 0), new Vec3(1, 0, 0), null));
  }
}
