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
  private static final int RAYS = RayWorkload.RAYS;

  private TraceProbe probe;
  private final double[] rays = new double[6 * RAYS];
  private int next;
  /** Keeps the results alive so the JIT cannot drop the work. */
  public double sink;

  @Setup
  public void setup() {
    RayWorkload workload = RayWorkload.create();
    probe = workload.probe();
    if (probe.triangles() < 100_000) {
      throw new IllegalStateException("the benchmark mesh must have at least 100k triangles, has " + probe.triangles());
    }
    System.arraycopy(workload.rays, 0, rays, 0, rays.length);
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
