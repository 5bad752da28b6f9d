package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The BVHs find exactly what testing every triangle finds, and light sampling densities match their pdf(). */
class AccelTest {
  /** A random triangle soup: overlapping, thin and tiny triangles, the hard case for a BVH. */
  private static TriangleMesh soup(int n, long seed) {
    HashSampler u = new HashSampler(seed);
    double[] pos = new double[9 * n];
    int[] idx = new int[3 * n];
    for (int t = 0; t < n; t++) {
      u.startPixelSample(t, 0, 0);
      double cx = 4 * u.get1D() - 2;
      double cy = 4 * u.get1D() - 2;
      double cz = 4 * u.get1D() - 2;
      double size = 0.02 + 0.5 * u.get1D() * u.get1D();
      for (int k = 0; k < 9; k++) {
        pos[9 * t + k] = (k % 3 == 0 ? cx : k % 3 == 1 ? cy : cz) + size * (u.get1D() - 0.5);
      }
      idx[3 * t] = 3 * t;
      idx[3 * t + 1] = 3 * t + 1;
      idx[3 * t + 2] = 3 * t + 2;
    }
    return new TriangleMesh(pos, idx, null, null);
  }

  /** Möller-Trumbore against every triangle, in double, as the reference. */
  private static double bruteForce(TriangleMesh m, double[] o, double[] d) {
    double best = Double.POSITIVE_INFINITY;
    for (int t = 0; t < m.triangleCount; t++) {
      double[] p0 = vertex(m, t, 0);
      double[] p1 = vertex(m, t, 1);
      double[] p2 = vertex(m, t, 2);
      Vec3 e1 = new Vec3(p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]);
      Vec3 e2 = new Vec3(p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]);
      Vec3 dir = new Vec3(d[0], d[1], d[2]);
      Vec3 p = dir.cross(e2);
      double det = e1.dot(p);
      if (det == 0) {
        continue;
      }
      Vec3 tv = new Vec3(o[0] - p0[0], o[1] - p0[1], o[2] - p0[2]);
      double uu = tv.dot(p) / det;
      Vec3 q = tv.cross(e1);
      double vv = dir.dot(q) / det;
      double tt = e2.dot(q) / det;
      if (uu >= 0 && vv >= 0 && uu + vv <= 1 && tt > 0 && tt < best) {
        best = tt;
      }
    }
    return best;
  }

  private static double[] vertex(TriangleMesh m, int t, int c) {
    int i = m.vertex(t, c);
    // As the mesh stores them: in float.
    return new double[] {(float) m.positions[3 * i], (float) m.positions[3 * i + 1], (float) m.positions[3 * i + 2]};
  }

  @Test
  void theMeshBvhFindsTheSameNearestHitAsTestingEveryTriangle() {
    TriangleMesh mesh = soup(3000, 9);
    Scratch s = new Scratch();
    HashSampler u = new HashSampler(4);
    int hits = 0;
    for (int i = 0; i < 3000; i++) {
      u.startPixelSample(i, 1, 0);
      double[] o = {6 * u.get1D() - 3, 6 * u.get1D() - 3, 6 * u.get1D() - 3};
      double[] d = {u.get1D() - 0.5, u.get1D() - 0.5, u.get1D() - 0.5};
      double expected = bruteForce(mesh, o, d);
      boolean hit = mesh.intersect(o[0], o[1], o[2], d[0], d[1], d[2], Double.POSITIVE_INFINITY, s);
      assertEquals(expected < Double.POSITIVE_INFINITY, hit, "ray " + i);
      assertEquals(hit, mesh.occluded(o[0], o[1], o[2], d[0], d[1], d[2], Double.POSITIVE_INFINITY, s), "ray " + i);
      if (hit) {
        hits++;
        // The mesh stores each edge rounded once to float, this reference each vertex: they agree to ~1e-7.
        assertEquals(expected, s.t, 1e-6 * (1 + expected), "ray " + i);
      }
    }
    assertTrue(hits > 150, "hits " + hits);
  }

  @Test
  void raysWithZeroDirectionComponentsFindTheSameNearestHit() {
    // Axis-aligned and in-plane rays: the branch-free box tests see 0 and huge reciprocals, and must still
    // find exactly what the brute force finds.
    TriangleMesh mesh = soup(3000, 11);
    Scratch s = new Scratch();
    HashSampler u = new HashSampler(5);
    double[][] dirs = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}, {1, -1, 0}, {0, 1, 1},
        {-0.0, 0.3, -0.7}};
    int hits = 0;
    for (int i = 0; i < 2000; i++) {
      u.startPixelSample(i, 3, 0);
      double[] o = {Math.floor(8 * u.get1D()) / 2 - 2, Math.floor(8 * u.get1D()) / 2 - 2, 6 * u.get1D() - 3};
      double[] d = dirs[i % dirs.length];
      double expected = bruteForce(mesh, o, d);
      boolean hit = mesh.intersect(o[0], o[1], o[2], d[0], d[1], d[2], Double.POSITIVE_INFINITY, s);
      assertEquals(expected < Double.POSITIVE_INFINITY, hit, "ray " + i);
      assertEquals(hit, mesh.occluded(o[0], o[1], o[2], d[0], d[1], d[2], Double.POSITIVE_INFINITY, s), "ray " + i);
      if (hit) {
        hits++;
        assertEquals(expected, s.t, 1e-6 * (1 + expected), "ray " + i);
      }
    }
    assertTrue(hits > 100, "hits " + hits);
  }

  @Test
  void raysFromFarAwayFindTheSameNearestHit() {
    // Boxes are tested in float: an origin 1000 units out is rounded by far more than a box's own rounding,
    // and the traversal must still not cull a box the ray enters.
    TriangleMesh mesh = soup(3000, 12);
    Scratch s = new Scratch();
    HashSampler u = new HashSampler(6);
    int hits = 0;
    for (int i = 0; i < 3000; i++) {
      u.startPixelSample(i, 4, 0);
      double[] o = {2000 * u.get1D() - 1000, 2000 * u.get1D() - 1000, 1000 + u.get1D()};
      double[] d = {4 * u.get1D() - 2 - o[0], 4 * u.get1D() - 2 - o[1], 4 * u.get1D() - 2 - o[2]};
      double expected = bruteForce(mesh, o, d);
      boolean hit = mesh.intersect(o[0], o[1], o[2], d[0], d[1], d[2], Double.POSITIVE_INFINITY, s);
      assertEquals(expected < Double.POSITIVE_INFINITY, hit, "ray " + i);
      assertEquals(hit, mesh.occluded(o[0], o[1], o[2], d[0], d[1], d[2], Double.POSITIVE_INFINITY, s), "ray " + i);
      if (hit) {
        hits++;
        assertEquals(expected, s.t, 1e-6 * (1 + expected), "ray " + i);
      }
    }
    assertTrue(hits > 300, "hits " + hits);
  }

  @Test
  void instancesAreTracedInTheirOwnSpace() {
    TriangleMesh mesh = soup(200, 3);
    Transform xf = Transform.of(new dev.tilefarm.schemas.SceneSpec.Transform(new double[] {5, -2, 1},
        new double[] {10, 35, -20}, new double[] {2, 0.5, 1.5}));
    Material white = new DiffuseMaterial(Rgb.WHITE);
    Accel placed = new Accel(List.of(new Primitive.Instance(mesh, xf, white, null)));
    Scratch s = new Scratch();
    HashSampler u = new HashSampler(8);
    int hits = 0;
    for (int i = 0; i < 2000; i++) {
      u.startPixelSample(i, 2, 0);
      Vec3 target = xf.point(new Vec3(4 * u.get1D() - 2, 4 * u.get1D() - 2, 4 * u.get1D() - 2));
      Vec3 origin = new Vec3(5 + 20 * (u.get1D() - 0.5), 20 * (u.get1D() - 0.5), 20);
      Ray ray = new Ray(origin, target.minus(origin).normalized());
      SurfaceHit hit = placed.intersect(ray, Double.POSITIVE_INFINITY, s);
      // The same ray taken into object space by hand and tested against every triangle.
      double[] m = xf.inv;
      Vec3 o = xf.inverse(origin);
      Vec3 d = new Vec3(m[0] * ray.direction().x() + m[1] * ray.direction().y() + m[2] * ray.direction().z(),
          m[4] * ray.direction().x() + m[5] * ray.direction().y() + m[6] * ray.direction().z(),
          m[8] * ray.direction().x() + m[9] * ray.direction().y() + m[10] * ray.direction().z());
      double expected = bruteForce(mesh, new double[] {o.x(), o.y(), o.z()}, new double[] {d.x(), d.y(), d.z()});
      assertEquals(expected < Double.POSITIVE_INFINITY, hit != null, "ray " + i);
      if (hit != null) {
        hits++;
        assertEquals(expected, hit.t(), 1e-6 * (1 + expected), "ray " + i);
        assertEquals(1, hit.normal().length(), 1e-12);
      }
    }
    assertTrue(hits > 30, "hits " + hits);
  }

  @Test
  void anEnvironmentMapsSampledDensityIsItsPdfAndIntegratesToOne() {
    int w = 32;
    int h = 16;
    StringBuilder header = new StringBuilder("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y " + h + " +X " + w + "\n");
    byte[] head = header.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] data = new byte[head.length + 4 * w * h];
    System.arraycopy(head, 0, data, 0, head.length);
    for (int i = 0; i < w * h; i++) {
      int o = head.length + 4 * i;
      int x = i % w;
      int y = i / w;
      data[o] = (byte) (x * 7 + 20);
      data[o + 1] = (byte) (y * 13 + 10);
      data[o + 2] = (byte) (x == 5 && y == 4 ? 250 : 40);
      data[o + 3] = (byte) (x == 5 && y == 4 ? 131 : 128);
    }
    EnvironmentLight env = EnvironmentLight.map(HdrImage.read(data), 1, 30, 1);
    HashSampler u = new HashSampler(6);
    for (int i = 0; i < 2000; i++) {
      u.startPixelSample(i, 0, 0);
      Light.Sample ls = env.sample(Vec3.ZERO, u.get1D(), u.get1D());
      assertEquals(ls.pdf(), env.pdf(Vec3.ZERO, ls.wi(), null), 1e-9 * ls.pdf(), "sample " + i);
      assertEquals(env.radiance(ls.wi()), ls.radiance());
    }
    double integral = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      u.startPixelSample(i, 1, 0);
      double z = 1 - 2 * u.get1D();
      double r = Math.sqrt(Math.max(0, 1 - z * z));
      double phi = 2 * Math.PI * u.get1D();
      integral += env.pdf(Vec3.ZERO, new Vec3(r * Math.cos(phi), z, r * Math.sin(phi)), null) * 4 * Math.PI;
    }
    assertEquals(1, integral / n, 0.03);
  }
}
