package dev.tilefarm.bench.pipeline;

import dev.tilefarm.schemas.JobEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** Pipeline overhead: a render job through the farm against the same render made directly in this process. */
final class OverheadSection implements SharedFarmSection {
  /** Issue 18's aims: the ratio of the farm's wall time to the direct render's, on the ~2 s and the ~20 s job. */
  static final Aim SHORT_JOB = Aim.atMost(1.25, "≤ 1.25x");
  static final Aim LONG_JOB = Aim.atMost(1.08, "≤ 1.08x");

  @Override
  public Result run(Bench bench, BenchFarm farm) throws Exception {
    List<Row> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    measure(bench, farm, bench.quick() ? 0.5 : 2, "~2 s", SHORT_JOB, rows, notes);
    measure(bench, farm, bench.quick() ? 2 : 20, "~20 s", LONG_JOB, rows, notes);
    return new Result(rows, notes);
  }

  private static void measure(Bench bench, BenchFarm farm, double targetSeconds, String label, Aim aim,
      List<Row> rows, List<String> notes) throws Exception {
    int threads = bench.threads();
    int w = bench.quick() ? 320 : 640;
    int h = bench.quick() ? 180 : 360;
    // Calibrate: pick the sample count that makes the direct render take about the target time (after a
    // throwaway render, so that the JIT has compiled the tracer and the probe is not inflated by it).
    DirectRender.millis(Jobs.spheres("warm-up-" + System.nanoTime(), w, h, 4), threads);
    double probe = DirectRender.millis(Jobs.spheres("calibrate-" + System.nanoTime(), w, h, 4), threads);
    int samples = Math.max(1, (int) Math.round(4 * targetSeconds * 1000 / probe));
    BenchStats pipeline = new BenchStats();
    BenchStats reference = new BenchStats();
    BenchStats ratio = new BenchStats();
    JobEvent.Completed last = null;
    JvmCpu.Span directCpu = null;
    JvmCpu.Span jobCpu = null;
    double lastWall = 0;
    double lastDirect = 0;
    // And the same throwaway run through the farm, so that its first timed job does not pay for the JIT either.
    farm.complete(Jobs.tiled(Jobs.spheres("overhead-warm-up-" + System.nanoTime(), w, h, 4), 64));
    for (int i = 0; i < bench.runs(); i++) {
      JvmCpu d0 = JvmCpu.read();
      double d = DirectRender.millis(Jobs.spheres("direct-" + System.nanoTime(), w, h, samples), threads);
      directCpu = JvmCpu.read().since(d0);
      JvmCpu p0 = JvmCpu.read();
      long t0 = System.nanoTime();
      // 64-pixel tiles: enough of them that both render threads stay busy to the end.
      last = farm.complete(Jobs.tiled(Jobs.spheres("overhead-" + System.nanoTime(), w, h, samples), 64));
      double p = (System.nanoTime() - t0) / 1e6;
      jobCpu = JvmCpu.read().since(p0);
      lastWall = p;
      lastDirect = d;
      pipeline.add(p);
      reference.add(d);
      ratio.add(p / d);
    }
    rows.add(new Row("Pipeline overhead, " + label + " render job (" + w + "x" + h + ", " + samples + " spp)",
        pipeline.summary("%.0f ms"), "direct in-process, " + threads + " threads: " + reference.summary("%.0f ms"),
        ratio.summary("%.2fx"), aim.text(), aim.reachedBy(ratio.median())));
    if (!aim.reachedBy(ratio.median())) {
      notes.add(Bottleneck.note("Overhead " + label, bottleneck(lastWall, lastDirect, threads, last.timings(), jobCpu,
          directCpu.processMs(), threads)));
    }
    notes.add(String.format(Locale.ROOT, "**Overhead %s**: of the last pipeline run's %d ms, the compositor's "
        + "assembly took %d ms and the workers' render time summed over tiles was %d ms (%d threads); the rest is "
        + "queueing through three topics and two exactly-once commits (splitter every 50 ms, compositor every 100 ms).",
        label, last.timings().total(), last.timings().assemble(), last.timings().render(), threads));
  }

  /**
   * Where the last pipeline run's time beyond the direct render went: renders slower than the direct one (the farm's
   * other roles taking CPU beside them), render threads idle (before the first tile, between tiles, after the last:
   * the hand-out through the share group and the commits), or the assembly; the largest is named, with the CPU
   * measured over the job. Other programs having the machine's CPU is named first.
   *
   * @param timings the last pipeline run's: render time summed over tiles, assembly
   * @param job this JVM's and the machine's CPU over that run
   * @param directCpuMs this JVM's CPU over the direct render (the idle farm's included)
   */
  static String bottleneck(double wallMs, double directMs, int threads, JobEvent.Timings timings, JvmCpu.Span job,
      double directCpuMs, int cores) {
    double perThread = timings.render() / (double) threads;
    Map<String, Double> parts = new LinkedHashMap<>();
    parts.put(SLOWER, perThread - directMs);
    parts.put(IDLE, wallMs - perThread - timings.assemble());
    parts.put(ASSEMBLY, (double) timings.assemble());
    String measured = String.format(Locale.ROOT, "of the last run's %.0f ms beyond the direct render's %.0f ms: %s; "
        + "during it %s; the render threads used %.0f ms of CPU and the farm's other roles %.0f ms beside them "
        + "(this JVM used %.0f ms over the direct render)", wallMs - directMs, directMs, Bottleneck.millis(parts),
        Bottleneck.machine(cores, job.machineBusy(), job.busy(cores), "role", job.byRole()),
        job.byRole().getOrDefault(JvmCpu.RENDER, 0.0), job.besideRenderMs(), directCpuMs);
    String largest = Bottleneck.largest(parts);
    if (Bottleneck.othersTookIt(job.machineBusy(), job.busy(cores))) {
      return Bottleneck.othersBeside(largest.replaceFirst(" \\(.*", ""), measured);
    }
    return switch (largest) {
      case SLOWER -> Bottleneck.cpuBound(job.machineBusy(), job.busy(cores))
          ? "the machine's CPU, taken by the farm's own roles beside the renderer (the renders ran slower than the "
              + "direct one): " + measured
          : "the renders themselves, slower than the direct one with the cores not all busy (tile edges, the "
              + "worker's per-tile set-up): " + measured;
      case IDLE -> "the farm's hand-offs, render threads idle (tasks handed out through the share group, the job's "
          + "start and end through exactly-once commits, the last tiles' tail): " + measured;
      default -> "the compositor's assembly: " + measured;
    };
  }

  private static final String SLOWER = "slower renders (render time per thread over the direct render's)";
  private static final String IDLE = "render threads idle (before the first tile, between tiles, after the last)";
  private static final String ASSEMBLY = "assembly";
}
