package dev.tilefarm.bench.tracer;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Compares builds of the tracer on a shared, noisy machine, where sequential JMH runs cannot resolve a 20%
 * change: one JVM loads each benchmarks jar in its own class loader and alternates short slices of the same
 * benchmark method (16k rays, or one 32 x 32 x 16 tile), so that every build sees the same load, and reports
 * the median and quartiles of each build's rate and of its per-round ratio to the first jar.
 *
 * <pre>
 * java -Xmx3g -cp bench/target/benchmarks.jar dev.tilefarm.bench.tracer.Interleaved \
 *     closestHit 40 10 /tmp/before.jar bench/target/benchmarks.jar
 * </pre>
 *
 * Arguments: the method ({@code closestHit}, {@code anyHit} or {@code renderTile}), measured rounds, warm-up
 * rounds, then two or more jars.
 */
public final class Interleaved {
  private Interleaved() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      throw new IllegalArgumentException("usage: Interleaved closestHit|anyHit|renderTile ROUNDS WARMUP JAR JAR...");
    }
    String method = args[0];
    int rounds = Integer.parseInt(args[1]);
    int warmup = Integer.parseInt(args[2]);
    List<String> jars = Arrays.asList(args).subList(3, args.length);
    boolean tile = method.equals("renderTile");
    String benchmark = tile ? SamplesPerSecondBenchmark.class.getName() : RayTriangleBenchmark.class.getName();
    int callsPerSlice = tile ? 1 : 4;
    int opsPerCall = tile ? SamplesPerSecondBenchmark.TILE * SamplesPerSecondBenchmark.TILE
        * SamplesPerSecondBenchmark.SPP : RayTriangleBenchmark.BATCH;
    int n = jars.size();
    Object[] states = new Object[n];
    Method[] calls = new Method[n];
    for (int j = 0; j < n; j++) {
      // The platform loader as parent, so each jar's own copy of the tracer is the one that runs.
      URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(jars.get(j)).toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Class<?> c = loader.loadClass(benchmark);
      states[j] = c.getConstructor().newInstance();
      c.getMethod("setup").invoke(states[j]);
      calls[j] = c.getMethod(method);
    }
    double[][] rate = new double[n][rounds];
    for (int r = -warmup; r < rounds; r++) {
      for (int k = 0; k < n; k++) {
        // Alternate the order from round to round, so that neither build always runs right after the other.
        int j = (r & 1) == 0 ? k : n - 1 - k;
        long start = System.nanoTime();
        for (int i = 0; i < callsPerSlice; i++) {
          calls[j].invoke(states[j]);
        }
        long elapsed = System.nanoTime() - start;
        if (r >= 0) {
          rate[j][r] = (double) callsPerSlice * opsPerCall / (elapsed * 1e-9);
        }
      }
    }
    for (int j = 0; j < n; j++) {
      System.out.printf("%s %s: median %.0f/s (quartiles %.0f to %.0f)%n", method, jars.get(j), quantile(rate[j], 0.5),
          quantile(rate[j], 0.25), quantile(rate[j], 0.75));
      if (j > 0) {
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          ratio[r] = rate[j][r] / rate[0][r];
        }
        System.out.printf("  / first jar: median %.2f (quartiles %.2f to %.2f)%n", quantile(ratio, 0.5),
            quantile(ratio, 0.25), quantile(ratio, 0.75));
      }
    }
  }

  private static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  }
}
