package dev.tilefarm.bench.pipeline;

import dev.tilefarm.bench.tracer.RayWorkload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The path tracer's ray queries beside Embree's on the same mesh and rays ({@code RayTriangleBenchmark}'s), one
 * thread each, in the same run. The Embree side is a small C++ program (a resource of this module) that the bench
 * compiles with g++ against Debian's libembree-dev when it runs; without them the row says so.
 */
final class TracerSection implements Section {
  private static final String SOURCE = "/embree/embree_rays.cpp";

  @Override
  public Result run(Bench bench) throws Exception {
    long millis = bench.quick() ? 1000 : 3000;
    RayWorkload workload = RayWorkload.create();
    Path dir = Files.createDirectories(bench.scratch().resolve("embree"));
    Path data = dir.resolve("mesh-and-rays.bin");
    workload.export(data);
    String figure = "Tracer beside Embree: " + workload.triangles() + " triangles, " + workload.rays()
        + " incoherent rays, one thread (rays/s, closest hit / any hit)";
    String aim = "≥ 0.3x of Embree";
    Object built = build(dir);
    BenchStats javaClosest = new BenchStats();
    BenchStats javaAny = new BenchStats();
    BenchStats embreeClosest = new BenchStats();
    BenchStats embreeAny = new BenchStats();
    String hits = "";
    RayWorkload.Rates last = null;
    for (int i = 0; i < bench.runs(); i++) {
      RayWorkload.Rates j = workload.trace(millis);
      last = j;
      javaClosest.add(j.closest());
      javaAny.add(j.any());
      hits = "rays that hit, per pass: tracer " + j.closestHits() + " (closest), " + j.anyHits() + " (any, tMax "
          + RayWorkload.ANY_HIT_TMAX + ")";
      if (built instanceof Path program) {
        double[] e = embree(program, data, millis);
        embreeClosest.add(e[0]);
        embreeAny.add(e[2]);
        hits += String.format(Locale.ROOT, "; Embree %.0f, %.0f", e[1], e[3]);
      }
    }
    String measured = "tracer: " + javaClosest.summary("%.0f") + " / " + javaAny.summary("%.0f");
    String note = "**Tracer beside Embree**: the same mesh and rays as `RayTriangleBenchmark` (exported as float32, "
        + "which is what Embree traces; the tracer keeps its double rays), each ray traced alone (Embree's "
        + "rtcIntersect1 and rtcOccluded1 on a one-thread device, BVH built at high quality), over all rays again "
        + "and again for " + millis / 1000 + " s after as long a warm-up, Java in the bench's JVM, Embree in its own "
        + "process. " + hits + ".";
    if (!(built instanceof Path)) {
      return new Result(List.of(new Row(figure, measured, "Embree: skipped, " + built, "—", aim, false)),
          List.of(note));
    }
    double closest = javaClosest.median() / embreeClosest.median();
    double any = javaAny.median() / embreeAny.median();
    Row row = new Row(figure, measured, "Embree " + embreeClosest.summary("%.0f") + " / " + embreeAny.summary("%.0f"),
        String.format(Locale.ROOT, "%.2fx / %.2fx", closest, any), aim, closest >= 0.3 && any >= 0.3);
    String time = "closest hit: " + timeGoes(last.closestWork(), embreeClosest.median()) + "; any hit: "
        + timeGoes(last.anyWork(), embreeAny.median()) + " (the last run's counts and times)";
    String work = row.reached() ? "**Tracer beside Embree**: where the time goes: " + time
        : Bottleneck.note("Tracer beside Embree", (memoryBound(last.closestWork()) && memoryBound(last.anyWork())
            ? "waiting for memory (a ray's nodes and triangles are not in the cache): "
            : "the tracer's own work per node visit and triangle test: ") + time);
    return new Result(List.of(row), List.of(note, work));
  }

  /** Whether most of a ray's time was spent waiting for memory: tracing it again at once took under half as long. */
  static boolean memoryBound(RayWorkload.Work w) {
    return w.warmNanos() < w.nanos() / 2;
  }

  /**
   * "1000 ns a ray (Embree 300 ns): 11.7 node visits (4 boxes each) and 7.8 triangle tests, 51 ns a visit or test;
   * traced again at once (in the cache) 450 ns, so 55% of the time waits for memory".
   */
  static String timeGoes(RayWorkload.Work w, double embreeRate) {
    return String.format(Locale.ROOT, "%.0f ns a ray (Embree %.0f ns): %.1f node visits (4 boxes each) and %.1f "
        + "triangle tests, %.0f ns a visit or test; traced again at once (in the cache) %.0f ns, so %.0f%% of the "
        + "time waits for memory", w.nanos(), 1e9 / embreeRate, w.nodes(), w.triangles(),
        w.nanos() / (w.nodes() + w.triangles()), w.warmNanos(), 100 * (1 - w.warmNanos() / w.nanos()));
  }

  /** The compiled program, or why there is none (no g++, no Embree headers). */
  private static Object build(Path dir) throws IOException, InterruptedException {
    Path source = dir.resolve("embree_rays.cpp");
    try (InputStream in = TracerSection.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IOException(SOURCE + " is not on the classpath (it travels in the bench module's jar)");
      }
      Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Path program = dir.resolve("embree_rays");
    Process p;
    try {
      p = BenchProcesses.start(new ProcessBuilder("g++", "-O2", "-std=c++17", source.toString(), "-lembree3", "-o",
          program.toString()).redirectErrorStream(true));
    } catch (IOException e) {
      return "no g++ on this machine (apt-get install g++ libembree-dev)";
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      return out.contains("embree3/rtcore.h") ? "no Embree headers (apt-get install libembree-dev)"
          : "g++ failed: " + out.lines().findFirst().orElse("exit " + p.exitValue());
    }
    return program;
  }

  /** Closest-hit rays/s and hits, any-hit rays/s and hits, from the Embree program. */
  private static double[] embree(Path program, Path data, long millis) throws IOException, InterruptedException {
    Process p = BenchProcesses.start(new ProcessBuilder(program.toString(), data.toString(),
        String.valueOf(millis / 1000.0), String.valueOf(RayWorkload.ANY_HIT_TMAX)).redirectErrorStream(true));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("the Embree program failed: " + out.strip());
    }
    double[] r = new double[4];
    List<String> seen = new ArrayList<>();
    for (String line : out.strip().split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 3 && (f[0].equals("closest") || f[0].equals("any"))) {
        int at = f[0].equals("closest") ? 0 : 2;
        r[at] = Double.parseDouble(f[1]);
        r[at + 1] = Double.parseDouble(f[2]);
        seen.add(f[0]);
      }
    }
    if (!seen.containsAll(List.of("closest", "any"))) {
      throw new IllegalStateException("the Embree program printed no rates: " + out.strip());
    }
    return r;
  }
}
