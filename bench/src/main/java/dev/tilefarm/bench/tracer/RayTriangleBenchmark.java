package dev.tilefarm.bench.tracer;

import dev.tilefarm.worker.render.path.TraceProbe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ray-triangle intersection throughput on one core: rays per second through the tracer's mesh BVH (the
 * same {@code TriangleMesh} code the renderer runs), on a noisy sphere of 130,560 triangles. The rays start
 * on a sphere of radius 3 around it and aim at random points within radius 1.2, so most hit (closest-hit:
 * the nearest of the triangles along the ray; any-hit: shadow-ray style, the first found) and some graze
 * past. Each invocation traces a batch of {@value #BATCH} precomputed rays; the score is per ray.
 */
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RayTriangleBenchmark extends OneCoreBenchmark {
  static final int BATCH = 4096;
  private static final int RAYS = 1 << 16;

  private TraceProbe probe;
  private final double[] rays = new double[6 * RAYS];
  private int next;
  /** Keeps the results alive so the JIT cannot drop the work. */
  public double sink;

  @Setup
  public void setup() {
    NoisySphere mesh = new NoisySphere(256, 256, 42);
    probe = TraceProbe.of(mesh.positions, mesh.indices);
    if (probe.triangles() < 100_000) {
      throw new IllegalStateException("the benchmark mesh must have at least 100k triangles, has " + probe.triangles());
    }
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

  private static double[] onSphere(double u, double v, double r) {
    double z = 1 - 2 * u;
    double s = Math.sqrt(Math.max(0, 1 - z * z));
    double phi = 2 * Math.PI * v;
    return new double[] {r * s * Math.cos(phi), r * s * Math.sin(phi), r * z};
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public double closestHit() {
    double acc = 0;
    int base = next;
    for (int i = 0; i < BATCH; i++) {
      int r = 6 * ((base + i) & (RAYS - 1));
      double t = probe.closestHit(rays[r], rays[r + 1], rays[r + 2], rays[r + 3], rays[r + 4], rays[r + 5],
          Double.POSITIVE_INFINITY);
      acc += t < Double.POSITIVE_INFINITY ? t : 0;
    }
    next = base + BATCH;
    sink = acc;
    return acc;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int anyHit() {
    int hits = 0;
    int base = next;
    for (int i = 0; i < BATCH; i++) {
      int r = 6 * ((base + i) & (RAYS - 1));
      if (probe.anyHit(rays[r], rays[r + 1], rays[r + 2], rays[r + 3], rays[r + 4], rays[r + 5], 6)) {
        hits++;
      }
    }
    next = base + BATCH;
    return hits;
  }
}
