package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Scaling: one against two worker processes on a CPU-bound render. */
final class ScalingSection implements Section {
  @Override
  public Result run(Bench bench) throws Exception {
    int w = bench.quick() ? 320 : 480;
    int h = bench.quick() ? 180 : 270;
    DirectRender.millis(Jobs.spheres("warm-up-" + System.nanoTime(), w, h, 4), 1);
    double probe = DirectRender.millis(Jobs.spheres("calibrate-" + System.nanoTime(), w, h, 4), 1);
    int samples = Math.max(1, (int) Math.round(4 * (bench.quick() ? 2000 : 8000) / probe));
    BenchStats one = new BenchStats();
    BenchStats two = new BenchStats();
    // The farm's other roles run here; the workers are `tilefarm worker` processes of one render thread each.
    try (BenchFarm farm = bench.farm("scale", 0, 1, true)) {
      for (int i = 0; i < bench.runs(); i++) {
        one.add(withWorkerProcesses(bench, farm, 1,
            Jobs.tiled(Jobs.spheres("scale1-" + System.nanoTime(), w, h, samples), 32)));
        two.add(withWorkerProcesses(bench, farm, 2,
            Jobs.tiled(Jobs.spheres("scale2-" + System.nanoTime(), w, h, samples), 32)));
      }
    }
    double s = one.median() / two.median();
    Row row = new Row("Scaling: one vs two worker processes on a CPU-bound render (" + w + "x" + h + ", " + samples
        + " spp)", String.format(Locale.ROOT, "%.2fx", s), "1 worker process: " + one.summary("%.0f ms")
        + "; 2 worker processes: " + two.summary("%.0f ms"), String.format(Locale.ROOT, "%.2fx", s), "≥ 1.8x",
        s >= 1.8);
    String note = "**Scaling**: `tilefarm worker --threads 1` processes (separate JVMs, warmed up on a first job "
        + "before the timed one), one against two, sharing the tiles through the share group; the broker, S3 server, "
        + "splitter and compositor run in the bench's JVM on the same " + bench.threads() + " cores, so the ideal on "
        + "this machine is below 2x by their load.";
    return new Result(List.of(row), List.of(note));
  }

  /** Starts {@code n} worker processes, warms them up on a small job, then times {@code job}; stops them after. */
  private static double withWorkerProcesses(Bench bench, BenchFarm farm, int n, ObjectNode job) throws Exception {
    List<Process> workers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        workers.add(RoleProcesses.start(bench, farm, List.of(), "worker", "--threads", "1", "--id",
            "bench-worker-" + i));
      }
      farm.complete(Jobs.tiled(Jobs.spheres("warm-" + System.nanoTime(), 64, 64, 4), 16));
      long t0 = System.nanoTime();
      farm.complete(job);
      return (System.nanoTime() - t0) / 1e6;
    } finally {
      RoleProcesses.stop(workers);
    }
  }
}
