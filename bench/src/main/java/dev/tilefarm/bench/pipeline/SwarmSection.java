package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A thousand workers, by simulation: 100, 500 and 1,000 share-group members (several per worker JVM) on tiles of the
 * {@code sleep} renderer, which take a set wall time and almost no CPU, so that the farm, not the renderer, sets
 * the pace. The broker, the S3 server, the splitter and the compositor each run in a process of their own.
 */
final class SwarmSection implements Section {
  /** A worker JVM's heap bound: a base, and a share per member it runs (its consumer, threads and buffers). */
  private static final int HEAP_BASE_MB = 768;
  private static final int HEAP_PER_MEMBER_MB = 8;

  /** Published anchors, for scale: what other farms' schedulers were measured to hand out. */
  static final String ANCHORS = "OpenCue's scheduler stress test: 975 frames/s booked in a dry run on 1,200 simulated "
      + "hosts; Tractor: 500 tasks/s";
  private static final int TILE = 48;
  /** Issue 18's aim: tiles settled per second with 1,000 members. */
  static final Aim THOUSAND = Aim.atLeast(1500, "≥ 1,500 tiles/s with 1,000 members");

  @Override
  public Result run(Bench bench) throws Exception {
    List<Integer> sizes = bench.quick() ? List.of(4, 8, 16) : List.of(100, 500, 1000);
    int jvms = bench.quick() ? 2 : 4;
    int millis = bench.quick() ? 200 : 500;
    double seconds = bench.quick() ? 4 : 10;
    List<Row> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try (ProcessFarm farm = ProcessFarm.start(bench, "swarm", false)) {
      farm.start("splitter", List.of(), "splitter");
      farm.start("compositor", List.of(), "compositor");
      for (int members : sizes) {
        Measured m = measure(bench, farm, members, jvms, millis, seconds);
        double ideal = members * 1000.0 / millis;
        boolean last = members == sizes.get(sizes.size() - 1);
        // Issue 18's aim is on 1,000 members at full size; the smaller swarms are reference figures beside it.
        boolean aimed = last && !bench.quick();
        rows.add(new Row(String.format(Locale.ROOT, "Swarm: %,d share-group members (%d worker JVMs, 1 thread each), "
            + "%,d tiles of the sleep renderer (%d ms each)", members, jvms, m.tiles, millis),
            String.format(Locale.ROOT, "%s tiles settled/s; task → start p50 %.0f ms, p99 %.0f ms; CPU per tile: "
                + "broker %.2f ms, splitter %.2f ms, compositor %.2f ms", m.rate.summary("%.0f"),
                m.waits.percentile(50), m.waits.percentile(99), m.cpuPerTile.get("broker"),
                m.cpuPerTile.get("splitter"), m.cpuPerTile.get("compositor")),
            String.format(Locale.ROOT, "ideal (members x 1000 / %d ms) %.0f tiles/s; %s", millis, ideal, ANCHORS),
            String.format(Locale.ROOT, "%.2f of ideal", m.rate.median() / ideal),
            aimed ? THOUSAND.text() : "no aim of its own (the aim is on 1,000 members at full size)",
            aimed ? (THOUSAND.reachedBy(m.rate.median()) ? Row.Mark.REACHED : Row.Mark.NOT_REACHED)
                : Row.Mark.REFERENCE));
        if (!aimed || !rows.get(rows.size() - 1).reached()) { // a reference figure's is given too
          notes.add(String.format(Locale.ROOT, "**Swarm, %d members**: bottleneck: %s", members, m.bottleneck));
        }
      }
    }
    notes.add("**Swarm**: `tilefarm worker --members N --threads 1 --renderers none` runs N workers in one JVM (heap "
        + "bound " + HEAP_BASE_MB + " MB + " + HEAP_PER_MEMBER_MB + " MB a member), each its own member of the shared lane's share group and of no other: with `--renderers none` a member has no "
        + "POV-Ray, Blender or ffmpeg lane (each lane is a share consumer and a poll thread, and idle ones took most "
        + "of idle members' CPU), and sleep tiles come on the shared lane; the renderer is `sleep` (each tile sleeps its "
        + "set time and is black: a simulated render "
        + "that costs almost no CPU, for benchmarks only). Tiles settled per second: all the job's tiles over the span "
        + "from its first task record to its last DONE result record; task → start: a tile's DONE record time less "
        + "its render time, less its task record's time (so it holds the store and announce too; and since a job's "
        + "tasks are all published at once, it holds the tile's time in the queue behind the job's earlier tiles, "
        + "about half the job for the median tile). CPU per tile: each "
        + "process's CPU time (Linux, via ProcessHandle) over the job, divided by its tiles. Kafka's share groups "
        + "hold at most 200 members unless the broker's `group.share.max.size` says more (the embedded broker sets "
        + "1,000, Kafka's maximum; a static setting in Kafka 4.3). Anchors: " + ANCHORS + ".");
    return new Result(rows, notes);
  }

  private record Measured(int tiles, BenchStats rate, BenchStats waits, Map<String, Double> cpuPerTile,
      String bottleneck) {}

  private static Measured measure(Bench bench, ProcessFarm farm, int members, int jvms, int millis, double seconds)
      throws Exception {
    List<Process> workers = new ArrayList<>();
    try {
      for (int j = 0; j < jvms; j++) {
        int here = members / jvms + (j < members % jvms ? 1 : 0);
        // A heap bound per JVM: with the JVM's default (a quarter of the machine's memory each) four JVMs of 250
        // members let garbage grow until the machine had no memory left (22 of 23 GB, 5.7 GB in one JVM).
        String heap = "-Xmx" + (HEAP_BASE_MB + HEAP_PER_MEMBER_MB * here) + "m";
        workers.add(farm.start("workers", List.of("-Xss512k", heap), "worker", "--members", String.valueOf(here),
            "--threads", "1", "--renderers", "none", "--id", "swarm-" + members + "-" + j));
      }
      // Every member has joined and taken a tile before the clock runs.
      farm.client().complete(Jobs.sleep("swarm-warm", members * 2, TILE, 10));
      int tiles = Jobs.sleepTiles((int) (members * 1000.0 / millis * seconds));
      BenchStats rate = new BenchStats();
      BenchStats wait = new BenchStats();
      Map<String, BenchStats> cpu = new LinkedHashMap<>();
      double busy = 0;
      double machineBusy = Double.NaN;
      Map<String, Double> share = new LinkedHashMap<>();
      for (int i = 0; i < bench.runs(); i++) {
        ObjectNode job = Jobs.sleep("swarm-" + members, tiles, TILE, millis);
        Map<String, Double> before = farm.cpuMillis();
        MachineCpu machine = MachineCpu.read();
        long t0 = System.nanoTime();
        farm.client().complete(job);
        double wallMs = (System.nanoTime() - t0) / 1e6;
        Map<String, Double> after = farm.cpuMillis();
        machineBusy = MachineCpu.read().busySince(machine);
        TileTimes times = TileTimes.of(farm.client(), job.get("id").asText());
        rate.add(times.settledPerSecond());
        times.taskToStart().addTo(wait);
        double total = 0;
        for (String label : after.keySet()) {
          double used = after.get(label) - before.getOrDefault(label, 0.0);
          cpu.computeIfAbsent(label, k -> new BenchStats()).add(used / tiles);
          share.put(label, used);
          total += used;
        }
        busy = total / (wallMs * bench.threads());
      }
      Map<String, Double> perTile = new LinkedHashMap<>();
      cpu.forEach((label, s) -> perTile.put(label, s.median()));
      double membersBusy = rate.median() * millis / 1000.0 / members;
      return new Measured(tiles, rate, wait, perTile,
          bottleneck(busy, machineBusy, membersBusy, share, wait, bench.threads()));
    } finally {
      RoleProcesses.stop(workers);
      farm.forget(workers);
    }
  }

  /**
   * The machine's CPU when it was nearly all used (by the farm, or by anything else running beside it), and by whom;
   * else the members' idle time between tiles, which is the hand-out through the share group.
   */
  static String bottleneck(double busy, double machineBusy, double membersBusy, Map<String, Double> used,
      BenchStats wait, int cores) {
    String cpu = "during the last job, " + Bottleneck.machine(cores, machineBusy, busy, "process", used)
        + String.format(Locale.ROOT, "; the members were busy (sleeping in tiles) %.0f%% of the time",
            100 * membersBusy);
    return Bottleneck.cpu(machineBusy, busy, cpu).orElseGet(() -> String.format(Locale.ROOT, "not CPU (%s): members "
        + "wait between tiles for the share group to hand them out; a tile waited p50 %.0f ms, p99 %.0f ms from task "
        + "to start", cpu, wait.percentile(50), wait.percentile(99)));
  }
}
