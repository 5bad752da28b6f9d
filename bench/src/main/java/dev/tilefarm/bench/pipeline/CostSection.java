package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The farm's own cost per tile, in CPU milliseconds per role: broker, S3 server, splitter, compositor and worker,
 * each a process of its own, on tiles of the {@code sleep} renderer at 0 ms, whose render costs almost nothing, so a
 * worker's CPU is what it spends outside the renderer. Every process records a JFR profile; the top methods of each
 * go into the notes.
 */
final class CostSection implements Section {
  private static final int TILE = 64;
  /** How long the farm is watched idle, to take its background CPU (polls, heartbeats) out of the job's. */
  private static final long IDLE_MS = 3000;

  @Override
  public Result run(Bench bench) throws Exception {
    int tiles = Jobs.sleepTiles(bench.quick() ? 200 : 2000);
    Map<String, BenchStats> perTile = new LinkedHashMap<>();
    Map<String, BenchStats> idlePerSecond = new LinkedHashMap<>();
    java.time.Instant from = null;
    java.time.Instant to = null;
    BenchStats total = new BenchStats();
    Map<String, List<Path>> recordings;
    double machineBusy = Double.NaN;
    double farmBusy = Double.NaN;
    try (ProcessFarm farm = ProcessFarm.start(bench, "cost", true)) {
      farm.start("splitter", List.of(), "splitter");
      farm.start("compositor", List.of(), "compositor");
      farm.start("worker", List.of(), "worker", "--threads", String.valueOf(bench.threads()), "--id", "bench-cost");
      farm.client().complete(Jobs.sleep("cost-warm", tiles, TILE, 0));
      for (int i = 0; i < bench.runs(); i++) {
        Map<String, Double> idle0 = farm.cpuMillis();
        long i0 = System.nanoTime();
        Thread.sleep(IDLE_MS);
        Map<String, Double> idle1 = farm.cpuMillis();
        double idleMs = (System.nanoTime() - i0) / 1e6;
        ObjectNode job = Jobs.sleep("cost", tiles, TILE, 0);
        from = from == null ? java.time.Instant.now() : from;
        MachineCpu machine = MachineCpu.read();
        long t0 = System.nanoTime();
        farm.client().complete(job);
        to = java.time.Instant.now();
        Map<String, Double> after = farm.cpuMillis();
        machineBusy = MachineCpu.read().busySince(machine);
        double wallMs = (System.nanoTime() - t0) / 1e6;
        double sum = 0;
        for (String label : after.keySet()) {
          double idleRate = (idle1.get(label) - idle0.get(label)) / idleMs;
          double used = after.get(label) - idle1.get(label);
          perTile.computeIfAbsent(label, k -> new BenchStats()).add(used / tiles);
          idlePerSecond.computeIfAbsent(label, k -> new BenchStats()).add(idleRate * 1000);
          sum += used / tiles;
        }
        total.add(sum);
        farmBusy = sum * tiles / (wallMs * bench.threads());
      }
      recordings = farm.stop();
    }
    StringBuilder measured = new StringBuilder(total.summary("%.2f ms") + " of CPU per tile: ");
    perTile.forEach((label, s) -> measured.append(label).append(' ').append(s.summary("%.2f")).append(", "));
    measured.setLength(measured.length() - 2);
    Row row = new Row("Farm's own CPU per tile, all roles, each its own process (" + tiles + " tiles of " + TILE + "x"
        + TILE + ", sleep renderer at 0 ms)", measured.toString(), "—", "—", "≤ 5 ms of CPU per tile, all roles",
        total.median() <= 5);
    List<String> notes = new ArrayList<>();
    notes.add("**Cost per tile**: the broker (`tilefarm broker`, a one-node KRaft quorum), the S3 server (`tilefarm "
        + "s3`), the splitter, the compositor and one worker of " + bench.threads() + " threads each run as a JVM of "
        + "their own; a role's cost is its process's CPU time (Linux, via ProcessHandle) from the job's submission "
        + "to its COMPLETED event, divided by the job's tiles: so it includes what the role uses idle over that time "
        + "(polls, heartbeats, commits), which the idle figures below give apart; nothing is subtracted, since on a "
        + "shared machine a subtraction can go below zero. The renderer is `sleep` at 0 ms (black tiles), so the "
        + "worker's figure is its cost outside the renderer (fetch, encode, store, announce, settle). Each process "
        + "records a JFR profile (settings=profile, which adds a little CPU of its own).");
    StringBuilder idle = new StringBuilder("**Idle CPU** of each role in the " + IDLE_MS / 1000 + " s before each job "
        + "(ms of CPU per second): ");
    idlePerSecond.forEach((label, s) -> idle.append(String.format(Locale.ROOT, "%s %.0f, ", label, s.median())));
    idle.setLength(idle.length() - 2);
    notes.add(idle + " (the compositor's includes its janitor deleting the previous job's tiles).");
    StringBuilder top = new StringBuilder("**Top costs** (JFR execution samples during the timed jobs, by thread, "
        + "then by top frame): ");
    Map<String, List<String>> topMethods = new LinkedHashMap<>();
    for (Map.Entry<String, List<Path>> e : recordings.entrySet()) {
      List<String> threads = JfrProfile.top(e.getValue(), from, to, 4, true);
      List<String> methods = JfrProfile.top(e.getValue(), from, to, 4, false);
      topMethods.put(e.getKey(), methods);
      top.append(e.getKey()).append(": ").append(threads.isEmpty() ? "no samples" : String.join(", ", threads)
          + "; " + String.join(", ", methods)).append(". ");
    }
    notes.add(top.toString().strip());
    if (!row.reached()) {
      Map<String, Double> medians = new LinkedHashMap<>();
      perTile.forEach((label, s) -> medians.put(label, s.median()));
      notes.add(Bottleneck.note("Cost per tile", bottleneck(medians, topMethods, machineBusy, farmBusy,
          bench.threads())));
    }
    return new Result(List.of(row), notes);
  }

  /**
   * The role that costs the most CPU per tile, with its share and its top frames from JFR; and, when other programs
   * had the machine, that too (CPU time per tile moves little with a busy machine, but caches and clocks do).
   *
   * @param perTile each role's CPU per tile in ms
   * @param topMethods each role's top frames, as {@link JfrProfile#top} gives them
   */
  static String bottleneck(Map<String, Double> perTile, Map<String, List<String>> topMethods, double machineBusy,
      double farmBusy, int cores) {
    String worst = Bottleneck.largest(perTile);
    double sum = perTile.values().stream().mapToDouble(Double::doubleValue).sum();
    List<String> frames = topMethods.getOrDefault(worst, List.of());
    String measured = String.format(Locale.ROOT, "the %s's CPU, %.2f of the %.2f ms per tile (by process: %s); its "
        + "top frames (JFR): %s; during the last job %s", worst, perTile.get(worst), sum, Bottleneck.shares(perTile),
        frames.isEmpty() ? "no samples" : String.join(", ", frames), Bottleneck.machine(cores, machineBusy, farmBusy));
    return Bottleneck.othersTookIt(machineBusy, farmBusy)
        ? measured + " (other programs had most of the machine: this run was not on a quiet machine)" : measured;
  }
}
