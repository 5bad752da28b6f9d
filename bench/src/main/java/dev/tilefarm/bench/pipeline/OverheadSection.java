package dev.tilefarm.bench.pipeline;

import dev.tilefarm.schemas.JobEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Pipeline overhead: a render job through the farm against the same render made directly in this process. */
final class OverheadSection implements SharedFarmSection {
  @Override
  public Result run(Bench bench, BenchFarm farm) throws Exception {
    List<Row> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    measure(bench, farm, bench.quick() ? 0.5 : 2, "~2 s", 1.5, rows, notes);
    measure(bench, farm, bench.quick() ? 2 : 20, "~20 s", 1.10, rows, notes);
    return new Result(rows, notes);
  }

  private static void measure(Bench bench, BenchFarm farm, double targetSeconds, String label, double aim,
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
    // And the same throwaway run through the farm, so that its first timed job does not pay for the JIT either.
    farm.complete(Jobs.tiled(Jobs.spheres("overhead-warm-up-" + System.nanoTime(), w, h, 4), 64));
    for (int i = 0; i < bench.runs(); i++) {
      double d = DirectRender.millis(Jobs.spheres("direct-" + System.nanoTime(), w, h, samples), threads);
      long t0 = System.nanoTime();
      // 64-pixel tiles: enough of them that both render threads stay busy to the end.
      last = farm.complete(Jobs.tiled(Jobs.spheres("overhead-" + System.nanoTime(), w, h, samples), 64));
      double p = (System.nanoTime() - t0) / 1e6;
      pipeline.add(p);
      reference.add(d);
      ratio.add(p / d);
    }
    rows.add(new Row("Pipeline overhead, " + label + " render job (" + w + "x" + h + ", " + samples + " spp)",
        pipeline.summary("%.0f ms"), "direct in-process, " + threads + " threads: " + reference.summary("%.0f ms"),
        ratio.summary("%.2fx"), "≤ " + aim + "x", ratio.median() <= aim));
    notes.add(String.format(Locale.ROOT, "**Overhead %s**: of the last pipeline run's %d ms, the compositor's "
        + "assembly took %d ms and the workers' render time summed over tiles was %d ms (%d threads); the rest is "
        + "queueing through three topics and two exactly-once commits (splitter every 50 ms, compositor every 100 ms).",
        label, last.timings().total(), last.timings().assemble(), last.timings().render(), threads));
  }
}
