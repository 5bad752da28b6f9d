package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ShapeTest {
  private static final Vec3 X = new Vec3(1, 0, 0);

  @Test
  void aRayHitsTheNearSideOfASphereFromOutsideAndTheFarSideFromInside() {
    Sphere s = new Sphere(new Vec3(5, 0, 0), 1);
    assertEquals(4, s.intersect(new Ray(Vec3.ZERO, X), Double.POSITIVE_INFINITY), 1e-12);
    assertEquals(1, s.intersect(new Ray(new Vec3(5, 0, 0), X), Double.POSITIVE_INFINITY), 1e-12);
    assertEquals(Shape.MISS, s.intersect(new Ray(Vec3.ZERO, X.negate()), Double.POSITIVE_INFINITY));
    assertEquals(Shape.MISS, s.intersect(new Ray(new Vec3(0, 1.01, 0), X), Double.POSITIVE_INFINITY));
    assertEquals(Shape.MISS, s.intersect(new Ray(Vec3.ZERO, X), 3.9));
  }

  @Test
  void aSmallFarSphereIsHitAccurately() {
    // The naive quadratic loses every digit here; the stable form keeps them.
    Sphere s = new Sphere(new Vec3(1e6, 0, 0), 1e-3);
    assertEquals(1e6 - 1e-3, s.intersect(new Ray(Vec3.ZERO, X), Double.POSITIVE_INFINITY), 1e-9);
  }

  @Test
  void aRayLeavingASurfaceDoesNotHitItAgain() {
    Sphere s = new Sphere(new Vec3(0.3, -0.2, 0.1), 0.7);
    Material white = new DiffuseMaterial(Rgb.WHITE);
    Accel accel = new Accel(java.util.List.of(new Primitive.SpherePrim(s, white, null)));
    Scratch scratch = new Scratch();
    HashSampler u = new HashSampler(3);
    for (int i = 0; i < 2000; i++) {
      u.startPixelSample(i, 0, 0);
      Vec3 origin = new Vec3(4 * u.get1D() - 2, 4 * u.get1D() - 2, 3);
      Vec3 target = s.center().plus(new Vec3(u.get1D() - 0.5, u.get1D() - 0.5, u.get1D() - 0.5));
      Ray ray = new Ray(origin, target.minus(origin).normalized());
      SurfaceHit hit = accel.intersect(ray, Double.POSITIVE_INFINITY, scratch);
      if (hit == null) {
        continue; // the jittered target can lie just outside the sphere
      }
      Bsdf bsdf = hit.material().bsdf(hit, ray.direction().negate());
      Bsdf.Sample out = bsdf.sample(ray.direction().negate(), u.get1D(), u.get1D(), u.get1D());
      assertEquals(Shape.MISS, s.intersect(hit.spawn(out.wi()), Double.POSITIVE_INFINITY), "ray " + i);
    }
  }

  @Test
  void aPlaneIsHitFromEitherSide() {
    Plane plane = new Plane(new Vec3(0, 1, 0), new Vec3(0, 1, 0));
    assertEquals(2, plane.intersect(new Ray(new Vec3(0, 3, 0), new Vec3(0, -1, 0)), Double.POSITIVE_INFINITY), 1e-12);
    assertEquals(1, plane.intersect(new Ray(Vec3.ZERO, new Vec3(0, 1, 0)), Double.POSITIVE_INFINITY), 1e-12);
    assertEquals(Shape.MISS, plane.intersect(new Ray(Vec3.ZERO, X), Double.POSITIVE_INFINITY));
    assertEquals(Shape.MISS, plane.intersect(new Ray(Vec3.ZERO, new Vec3(0, -1, 0)), Double.POSITIVE_INFINITY));
  }
}
