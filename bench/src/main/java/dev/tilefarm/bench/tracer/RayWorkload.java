package dev.tilefarm.bench.tracer;

import dev.tilefarm.worker.render.path.TraceProbe;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link RayTriangleBenchmark}'s workload: the noisy sphere of 130,560 triangles and 65,536 incoherent rays that
 * start on a sphere of radius 3 and aim at random points within radius 1.2. The pipeline bench traces it here and,
 * through {@link #export}, in Embree, to compare the two on the same mesh and rays.
 */
public final class RayWorkload {
  static final int RAYS = 1 << 16;
  /** The any-hit rays' far end, as a shadow ray's. */
  public static final double ANY_HIT_TMAX = 6;

  final double[] positions;
  final int[] indices;
  /** Origin x, y, z and unit direction x, y, z per ray. */
  final double[] rays = new double[6 * RAYS];

  private RayWorkload() {
    NoisySphere mesh = new NoisySphere(256, 256, 42);
    positions = mesh.positions;
    indices = mesh.indices;
    for (int i = 0; i < RAYS; i++) {
      double[] o = onSphere(NoisySphere.unit(1, i, 0), NoisySphere.unit(1, i, 1), 3);
      double[] t = onSphere(NoisySphere.unit(2, i, 0), NoisySphere.unit(2, i, 1), 1.2 * Math.cbrt(NoisySphere.unit(2, i, 2)));
      double dx = t[0] - o[0];
      double dy = t[1] - o[1];
      double dz = t[2] - o[2];
      double len = Math.sqrt(dx * dx + dy * dy + dz * dz);
      System.arraycopy(new double[] {o[0], o[1], o[2], dx / len, dy / len, dz / len}, 0, rays, 6 * i, 6);
    }
  }

  public static RayWorkload create() {
    return new RayWorkload();
  }

  private static double[] onSphere(double u, double v, double r) {
    double z = 1 - 2 * u;
    double s = Math.sqrt(Math.max(0, 1 - z * z));
    double phi = 2 * Math.PI * v;
    return new double[] {r * s * Math.cos(phi), r * s * Math.sin(phi), r * z};
  }

  public int triangles() {
    return indices.length / 3;
  }

  public int rays() {
    return RAYS;
  }

  TraceProbe probe() {
    return TraceProbe.of(positions, indices);
  }

  /**
   * Writes the mesh and the rays for the Embree program, little-endian: vertex count, triangle count, ray count
   * (int32 each), then x, y, z per vertex (float32), three indices per triangle (int32), origin and direction per
   * ray (float32).
   */
  public void export(Path file) throws IOException {
    int vertices = positions.length / 3;
    ByteBuffer b = ByteBuffer.allocate(12 + 4 * (positions.length + indices.length + rays.length))
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(vertices).putInt(triangles()).putInt(RAYS);
    for (double p : positions) {
      b.putFloat((float) p);
    }
    for (int i : indices) {
      b.putInt(i);
    }
    for (double r : rays) {
      b.putFloat((float) r);
    }
    Files.write(file, b.array());
  }

  /**
   * The tracer's rays per second on one thread (this one): closest hit and any hit, each traced over all the rays
   * again and again for {@code millis} after as long a warm-up; also the rays that hit, per pass, and where a ray's
   * time goes ({@link Work}).
   */
  public Rates trace(long millis) {
    TraceProbe probe = probe();
    passes(probe, true, millis);
    double closest = passes(probe, true, millis);
    int closestHits = hits(probe, true, 0, RAYS, 1);
    Work closestWork = work(probe, true, millis);
    passes(probe, false, millis);
    double any = passes(probe, false, millis);
    int anyHits = hits(probe, false, 0, RAYS, 1);
    return new Rates(closest, closestHits, any, anyHits, closestWork, work(probe, false, millis));
  }

  /** Rays per second and rays that hit in one pass, of closest hit and of any hit, and the work behind them. */
  public record Rates(double closest, int closestHits, double any, int anyHits, Work closestWork, Work anyWork) {}

  /**
   * Where one query's time goes, on average over the rays: BVH nodes visited (each a test of up to four child
   * boxes) and ray-triangle tests, counted in one pass; the nanoseconds of a ray, and of a ray traced again at
   * once, when the nodes and triangles it needs are in the cache (the difference is time spent waiting for
   * memory).
   */
  public record Work(double nodes, double triangles, double nanos, double warmNanos) {}

  /** Rays per block of {@link #work}'s interleaved timing. */
  private static final int BLOCK = 1024;

  private Work work(TraceProbe probe, boolean closest, long millis) {
    long nodes = probe.nodeVisits();
    long triangles = probe.triangleTests();
    hits(probe, closest, 0, RAYS, 1);
    nodes = probe.nodeVisits() - nodes;
    triangles = probe.triangleTests() - triangles;
    // Blocks of rays traced once and blocks traced twice in a row (the second trace finds its path through the
    // tree in the cache), alternating, so that both see the same load on a shared machine.
    long once = 0;
    long twice = 0;
    long blocks = 0;
    long end = System.nanoTime() + millis * 1_000_000;
    for (int from = 0; System.nanoTime() < end; from = (from + 2 * BLOCK) % RAYS, blocks++) {
      long t0 = System.nanoTime();
      hits(probe, closest, from, from + BLOCK, 1);
      long t1 = System.nanoTime();
      hits(probe, closest, from + BLOCK, from + 2 * BLOCK, 2);
      once += t1 - t0;
      twice += System.nanoTime() - t1;
    }
    double perRay = once / (double) (blocks * BLOCK);
    return new Work(nodes / (double) RAYS, triangles / (double) RAYS, perRay,
        twice / (double) (blocks * BLOCK) - perRay);
  }

  /** Rays per second over passes of all the rays for {@code millis}. */
  private double passes(TraceProbe probe, boolean closest, long millis) {
    long t0 = System.nanoTime();
    long end = t0 + millis * 1_000_000;
    long traced = 0;
    do {
      hits(probe, closest, 0, RAYS, 1);
      traced += RAYS;
    } while (System.nanoTime() < end);
    return traced / ((System.nanoTime() - t0) / 1e9);
  }

  /** Rays that hit among rays {@code from} to {@code to} (exclusive), each traced {@code repeat} times in a row. */
  private int hits(TraceProbe probe, boolean closest, int from, int to, int repeat) {
    int hits = 0;
    for (int i = from; i < to; i++) {
      int r = 6 * i;
      boolean hit = false;
      for (int k = 0; k < repeat; k++) {
        hit = closest
            ? probe.closestHit(rays[r], rays[r + 1], rays[r + 2], rays[r + 3], rays[r + 4], rays[r + 5],
                Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY
            : probe.anyHit(rays[r], rays[r + 1], rays[r + 2], rays[r + 3], rays[r + 4], rays[r + 5], ANY_HIT_TMAX);
      }
      if (hit) {
        hits++;
      }
    }
    return hits;
  }
}
