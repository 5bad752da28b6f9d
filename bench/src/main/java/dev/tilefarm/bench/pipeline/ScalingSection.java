package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scaling: one against two worker processes on a CPU-bound render, where this machine's cores are the cap; and
 * 1 -> 2 -> 4 worker processes on tiles of the {@code sleep} renderer (a set wall time, almost no CPU), where they
 * are not, so the figure is the farm's own.
 */
final class ScalingSection implements Section {
  /** The simulated tiles' wall time: long enough that the farm's per-tile work is small beside it. */
  private static final int SLEEP_MS = 100;
  @Override
  public Result run(Bench bench) throws Exception {
    int w = bench.quick() ? 320 : 480;
    int h = bench.quick() ? 180 : 270;
    DirectRender.millis(Jobs.spheres("warm-up-" + System.nanoTime(), w, h, 4), 1);
    double probe = DirectRender.millis(Jobs.spheres("calibrate-" + System.nanoTime(), w, h, 4), 1);
    int samples = Math.max(1, (int) Math.round(4 * (bench.quick() ? 2000 : 8000) / probe));
    BenchStats one = new BenchStats();
    BenchStats two = new BenchStats();
    int sleepTiles = Jobs.sleepTiles(bench.quick() ? 100 : 400);
    List<Integer> counts = List.of(1, 2, 4);
    List<BenchStats> simulated = List.of(new BenchStats(), new BenchStats(), new BenchStats());
    List<BenchStats> simulatedWall = List.of(new BenchStats(), new BenchStats(), new BenchStats());
    Run lastTwo = null;
    Run lastFour = null;
    TileTimes fourTimes = null;
    // The farm's other roles run here; the workers are `tilefarm worker` processes of one render thread each.
    try (BenchFarm farm = bench.farm("scale", 0, 1, true)) {
      for (int i = 0; i < bench.runs(); i++) {
        one.add(withWorkerProcesses(bench, farm, 1,
            Jobs.tiled(Jobs.spheres("scale1-" + System.nanoTime(), w, h, samples), 32)).wallMs());
        lastTwo = withWorkerProcesses(bench, farm, 2,
            Jobs.tiled(Jobs.spheres("scale2-" + System.nanoTime(), w, h, samples), 32));
        two.add(lastTwo.wallMs());
        for (int k = 0; k < counts.size(); k++) {
          ObjectNode job = Jobs.sleep("scale-sleep" + counts.get(k), sleepTiles, 48, SLEEP_MS);
          Run run = withWorkerProcesses(bench, farm, counts.get(k), job);
          TileTimes times = TileTimes.of(farm, job.get("id").asText());
          simulatedWall.get(k).add(run.wallMs());
          simulated.get(k).add(times.settledPerSecond());
          if (k == counts.size() - 1) {
            lastFour = run;
            fourTimes = times;
          }
        }
      }
    }
    double s2 = simulated.get(1).median() / simulated.get(0).median();
    double s4 = simulated.get(2).median() / simulated.get(0).median();
    Row sim = new Row("Scaling: 1 → 2 → 4 worker processes (1 thread each) on " + sleepTiles + " simulated tiles "
        + "(sleep renderer, " + SLEEP_MS + " ms each)", String.format(Locale.ROOT, "%.2fx and %.2fx", s2, s4),
        "tiles settled/s, 1 process: " + simulated.get(0).summary("%.1f") + "; 2: " + simulated.get(1).summary("%.1f")
            + "; 4: " + simulated.get(2).summary("%.1f") + " (ideal " + 1000 / SLEEP_MS + " per process; job wall "
            + "times " + simulatedWall.get(0).summary("%.0f ms") + ", " + simulatedWall.get(1).summary("%.0f ms") + ", "
            + simulatedWall.get(2).summary("%.0f ms") + ")",
        String.format(Locale.ROOT, "%.2fx, %.2fx", s2, s4), "≥ 1.9x and ≥ 3.7x", s2 >= 1.9 && s4 >= 3.7);
    double s = one.median() / two.median();
    // The scaling aim is set on the simulated tiles, where the machine's cores are not the cap; this one is
    // a reference figure beside it.
    Row row = Row.reference("Scaling: one vs two worker processes on a CPU-bound render (" + w + "x" + h + ", "
        + samples + " spp)", String.format(Locale.ROOT, "%.2fx", s), "1 worker process: " + one.summary("%.0f ms")
        + "; 2 worker processes: " + two.summary("%.0f ms"), String.format(Locale.ROOT, "%.2fx", s),
        "no aim: the machine's " + bench.threads() + " cores cap it (its aim is on the simulated row)");
    String note = "**Scaling**: `tilefarm worker --threads 1 --renderers none` processes (separate JVMs, warmed up on "
        + "a first job before the timed one; builtin and sleep tiles come on the shared lane, so they need no external "
        + "renderer's lane), one against two, sharing the tiles through the share group; the broker, S3 server, "
        + "splitter and compositor run in the bench's JVM on the same " + bench.threads() + " cores, so the ideal on "
        + "this machine is below 2x by their load.";
    String simNote = "**Scaling, simulated**: the same worker processes on tiles of the `sleep` renderer (each tile "
        + "sleeps " + SLEEP_MS
        + " ms and costs almost no CPU), so the machine's cores are not the cap and the ideal is "
        + "2x and 4x. The figure is tiles settled per second, from the job's first task record to its last DONE "
        + "result record (the job's planning and assembly, which do not shrink with more workers, are outside it; "
        + "the wall times beside include them); what is lost is the farm's own hand-out through the share group, "
        + "store and announce, and any CPU the machine lacks.";
    List<String> notes = new ArrayList<>(List.of(note, simNote));
    int cores = bench.threads();
    if (s < 2) { // below the ideal: what held it
      notes.add(Bottleneck.note("Scaling, one vs two", cpuBottleneck(lastTwo, cores)));
    }
    if (!sim.reached()) {
      double membersBusy = simulated.get(2).median() * SLEEP_MS / 1000.0 / counts.get(2);
      notes.add(Bottleneck.note("Scaling, simulated", "with 4 worker processes, " + SwarmSection.bottleneck(
          lastFour.busy(cores), lastFour.jvm().machineBusy(), membersBusy, lastFour.byProcess(),
          fourTimes.taskToStart(), RunQueue.Reading.UNKNOWN, cores)));
    }
    return new Result(List.of(row, sim), notes);
  }

  /**
   * A timed job on worker processes: its wall time, this JVM's CPU over it (broker, S3 server, splitter and
   * compositor, and the machine's), and the worker processes' CPU together.
   */
  record Run(double wallMs, JvmCpu.Span jvm, double workersMs) {
    /** The farm's processes' share of the machine's cores. */
    double busy(int cores) {
      return (jvm.processMs() + workersMs) / (wallMs * cores);
    }

    Map<String, Double> byProcess() {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("worker processes", workersMs);
      out.put("the bench's JVM (broker, S3 server, splitter, compositor)", jvm.processMs());
      return out;
    }
  }

  /**
   * Two worker processes on a CPU-bound render: the machine's CPU and who had it (the workers, the other roles in the
   * bench's JVM, other programs), or, with cores to spare, the tiles' hand-out.
   */
  static String cpuBottleneck(Run run, int cores) {
    String measured = "during the last two-process job, " + Bottleneck.machine(cores, run.jvm().machineBusy(),
        run.busy(cores), "process", run.byProcess());
    return Bottleneck.cpu(run.jvm().machineBusy(), run.busy(cores), measured + "; the two workers cannot have the "
        + "two cores to themselves").orElseGet(() -> "not CPU, cores to spare: the tiles' hand-out through the share "
        + "group (" + measured + ")");
  }

  /** Starts {@code n} worker processes, warms them up on a small job, then times {@code job}; stops them after. */
  private static Run withWorkerProcesses(Bench bench, BenchFarm farm, int n, ObjectNode job) throws Exception {
    List<Process> workers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        workers.add(RoleProcesses.start(bench, farm, List.of(), "worker", "--threads", "1", "--renderers", "none",
            "--id", "bench-worker-" + i));
      }
      farm.complete(Jobs.tiled(Jobs.spheres("warm-" + System.nanoTime(), 64, 64, 4), 16));
      double workers0 = workers.stream().mapToDouble(ProcessFarm::cpuMillis).sum();
      JvmCpu cpu0 = JvmCpu.read();
      long t0 = System.nanoTime();
      farm.complete(job);
      double wallMs = (System.nanoTime() - t0) / 1e6;
      JvmCpu.Span jvm = JvmCpu.read().since(cpu0);
      return new Run(wallMs, jvm, workers.stream().mapToDouble(ProcessFarm::cpuMillis).sum() - workers0);
    } finally {
      RoleProcesses.stop(workers);
    }
  }
}
