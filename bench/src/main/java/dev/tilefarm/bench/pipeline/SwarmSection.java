package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A thousand workers, by simulation: 100, 500 and 1,000 share-group members (several per worker JVM) on tiles of the
 * {@code sleep} renderer, which take a set wall time and almost no CPU, so that the farm, not the renderer, sets
 * the pace. The broker, the S3 server, the splitter and the compositor each run in a process of their own.
 */
final class SwarmSection implements Section {
  /** A worker JVM's heap bound: a base, and a share per member it runs (its consumer, threads and buffers). */
  private static final int HEAP_BASE_MB = 768;
  private static final int HEAP_PER_MEMBER_MB = 8;
  /**
   * The worker JVMs' niceness: the simulated members, which on a real farm would each run on a host of their own,
   * yield the machine's CPU to the farm's roles rather than compete with them for it (see the section's note).
   */
  static final int MEMBERS_NICENESS = 10;

  /** Published anchors, for scale: what other farms' schedulers were measured to hand out. */
  static final String ANCHORS = "OpenCue's scheduler stress test: 975 frames/s booked in a dry run on 1,200 simulated "
      + "hosts; Tractor: 500 tasks/s";
  private static final int TILE = 48;
  /** How long the timed job of a full-size run lasts at the rate of the first job (or at the ideal rate). */
  private static final double SECONDS = 20;
  /** The longest a job of the section runs: one still going is cancelled and measured on the tiles it settled. */
  static final Duration WINDOW = Duration.ofMinutes(2);
  /** How long the members may take to join: a base, and a share per member (JVM start is most of the base). */
  private static final Duration JOIN_BASE = Duration.ofMinutes(2);
  private static final Duration JOIN_PER_MEMBER = Duration.ofMillis(300);
  /** Issue 18's aim: tiles settled per second with 1,000 members. */
  static final Aim THOUSAND = Aim.atLeast(1500, "≥ 1,500 tiles/s with 1,000 members");

  @Override
  public Result run(Bench bench) throws Exception {
    List<Integer> sizes = bench.quick() ? List.of(4, 8, 16) : List.of(100, 500, 1000);
    int jvms = bench.quick() ? 2 : 4;
    int millis = bench.quick() ? 200 : 500;
    double seconds = bench.quick() ? 4 : SECONDS;
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
        String job = m.settled == m.tiles ? String.format(Locale.ROOT, "%,d tiles", m.tiles)
            : String.format(Locale.ROOT, "%,d of a job's %,d tiles (settled in its %d s window)", m.settled, m.tiles,
                WINDOW.toSeconds());
        rows.add(new Row(String.format(Locale.ROOT, "Swarm: %,d share-group members (%d worker JVMs, 1 thread each), "
            + "%s of the sleep renderer (%d ms each)", members, jvms, job, millis),
            m.settled == 0 ? "0 tiles settled/s: no tile of the job was settled in its window"
                : String.format(Locale.ROOT, "%s tiles settled/s; task → start p50 %.0f ms, p99 %.0f ms; CPU per "
                    + "tile: broker %.2f ms, splitter %.2f ms, compositor %.2f ms", m.rate.summary("%.0f"),
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
    notes.add("**Swarm**: `tilefarm worker --members N --threads 1 --renderers none` runs N workers in one JVM "
        + "(heap bound " + HEAP_BASE_MB + " MB + " + HEAP_PER_MEMBER_MB + " MB a member), each its own member of the "
        + "shared lane's share group and of no other: with `--renderers none` a member has no POV-Ray, Blender or "
        + "ffmpeg lane (each lane is a share consumer and a poll thread, and idle ones took most of idle members' "
        + "CPU), and sleep tiles come on the shared lane; the renderer is `sleep` (each tile sleeps its set time and "
        + "is black: a simulated render that costs almost no CPU, for benchmarks only). The worker JVMs run at "
        + "niceness " + MEMBERS_NICENESS + ": the members, which on a real farm would each have a host of their own, "
        + "yield this machine's CPU to the farm's roles. At equal priority 1,000 members on 2 cores collapsed as they "
        + "joined (the run of 2026-12-07 10:42 settled no tile in 120 s, its worker JVMs 95% of the CPU): Kafka 4.3's "
        + "share consumer spins its application and network threads while a heartbeat is in flight and its "
        + "heartbeat timer has expired (KAFKA-21031, open upstream; not fixed in kafka-clients 4.4.0), so the "
        + "slower the broker answered, the more the members spun and the slower it answered. The clock starts "
        + "once every member is in the share group (the Admin API's member count) and a first job of a tile per "
        + "member has run. The timed job is sized to last about " + (int) SECONDS + " s at the rate of that first "
        + "job (at most the ideal rate's tiles); a job still running after " + WINDOW.toSeconds() + " s is "
        + "cancelled and measured on the tiles it settled. Tiles settled per second: the settled tiles over the "
        + "span from the "
        + "job's first task record to its last DONE result record; task → start: a tile's DONE record time less its "
        + "render time, less its task record's time (so it holds the store and announce too; and since a job's "
        + "tasks are all published at once, it holds the tile's time in the queue behind the job's earlier tiles, "
        + "about half the job for the median tile). CPU per tile: each process's CPU time (Linux, via "
        + "ProcessHandle) over the job, divided by the tiles settled. Kafka's share groups hold at most 200 members "
        + "unless the broker's `group.share.max.size` says more (the embedded broker sets 1,000, Kafka's maximum; "
        + "a static setting in Kafka 4.3). Anchors: " + ANCHORS + ".");
    return new Result(rows, notes);
  }

  private record Measured(int tiles, int settled, BenchStats rate, BenchStats waits, Map<String, Double> cpuPerTile,
      String bottleneck) {}

  private static Measured measure(Bench bench, ProcessFarm farm, int members, int jvms, int millis, double seconds)
      throws Exception {
    List<Process> workers = new ArrayList<>();
    try (BenchFarm.EventClient events = farm.client().eventClient()) {
      for (int j = 0; j < jvms; j++) {
        int here = members / jvms + (j < members % jvms ? 1 : 0);
        // A heap bound per JVM: with the JVM's default (a quarter of the machine's memory each) four JVMs of 250
        // members let garbage grow until the machine had no memory left (22 of 23 GB, 5.7 GB in one JVM).
        String heap = "-Xmx" + (HEAP_BASE_MB + HEAP_PER_MEMBER_MB * here) + "m";
        workers.add(farm.startNiced(MEMBERS_NICENESS, "workers", List.of("-Xss512k", heap), "worker", "--members",
            String.valueOf(here), "--threads", "1", "--renderers", "none", "--id", "swarm-" + members + "-" + j));
      }
      awaitMembers(farm.client(), members);
      // A first job of a tile per member, whose rate sizes the timed job: at the ideal rate the timed job would
      // last `seconds`, but a farm that settles far less would take hours over it.
      double firstRate = run(events, farm.client(), Jobs.sleep("swarm-warm", members, TILE, millis)).rate;
      int tiles = Jobs.sleepTiles((int) Math.max(members * 2,
          Math.min(members * 1000.0 / millis, firstRate) * seconds));
      BenchStats rate = new BenchStats();
      BenchStats wait = new BenchStats();
      Map<String, BenchStats> cpu = new LinkedHashMap<>();
      double busy = 0;
      double machineBusy = Double.NaN;
      int settled = 0;
      RunQueue.Reading queued = null;
      Map<String, Double> share = new LinkedHashMap<>();
      for (int i = 0; i < bench.runs(); i++) {
        Map<String, Double> before = farm.cpuMillis();
        MachineCpu machine = MachineCpu.read();
        RunQueue queue = RunQueue.start();
        long t0 = System.nanoTime();
        Ran ran = run(events, farm.client(), Jobs.sleep("swarm-" + members, tiles, TILE, millis));
        double wallMs = (System.nanoTime() - t0) / 1e6;
        queued = queue.stop();
        Map<String, Double> after = farm.cpuMillis();
        machineBusy = MachineCpu.read().busySince(machine);
        rate.add(ran.rate);
        ran.times.taskToStart().addTo(wait);
        settled = ran.times.settled();
        double total = 0;
        for (String label : after.keySet()) {
          double used = after.get(label) - before.getOrDefault(label, 0.0);
          cpu.computeIfAbsent(label, k -> new BenchStats()).add(settled == 0 ? Double.NaN : used / settled);
          share.put(label, used);
          total += used;
        }
        busy = total / (wallMs * bench.threads());
      }
      Map<String, Double> perTile = new LinkedHashMap<>();
      cpu.forEach((label, s) -> perTile.put(label, s.median()));
      double membersBusy = rate.median() * millis / 1000.0 / members;
      return new Measured(tiles, settled, rate, wait, perTile,
          bottleneck(busy, machineBusy, membersBusy, share, wait, queued, bench.threads()));
    } finally {
      RoleProcesses.stop(workers);
      farm.forget(workers);
    }
  }

  /** A job's tile times and its tiles settled per second; {@link #run} cancels a job it stopped waiting for. */
  private record Ran(TileTimes times, double rate) {}

  /**
   * Runs {@code job} for up to {@link #WINDOW}; a job that has not completed by then is cancelled, and the figures
   * are of the tiles it settled.
   */
  private static Ran run(BenchFarm.EventClient events, BenchFarm farm, ObjectNode job) throws Exception {
    String id = job.get("id").asText();
    var from = events.positions();
    events.submit(job);
    try {
      events.await(id, from, WINDOW, e -> {});
    } catch (TimeoutException e) {
      events.cancel(id);
      System.err.printf(Locale.ROOT, "swarm: job %s not done within %d s, cancelled; its settled tiles are counted%n",
          id, WINDOW.toSeconds());
    }
    TileTimes times = TileTimes.soFar(farm, id);
    return new Ran(times, times.settledPerSecond());
  }

  /** Waits until {@code members} members are in the workers' share group, saying how many as they come. */
  static void awaitMembers(BenchFarm farm, int members) throws Exception {
    String group = farm.tileTasksGroup();
    long start = System.nanoTime();
    long deadline = start + JOIN_BASE.plus(JOIN_PER_MEMBER.multipliedBy(members)).toNanos();
    long nextNote = start;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, farm.bootstrapServers()))) {
      while (true) {
        int joined = admin.describeShareGroups(List.of(group)).all().get().get(group).members().size();
        long now = System.nanoTime();
        if (joined >= members) {
          System.err.printf(Locale.ROOT, "swarm: %,d members joined in %.0f s%n", joined, (now - start) / 1e9);
          return;
        }
        if (now > deadline) {
          throw new IllegalStateException(String.format(Locale.ROOT, "only %,d of %,d members joined share group "
              + "%s within %.0f s", joined, members, group, (now - start) / 1e9));
        }
        if (now >= nextNote) {
          System.err.printf(Locale.ROOT, "swarm: %,d of %,d members joined (%.0f s)%n", joined, members,
              (now - start) / 1e9);
          nextNote = now + TimeUnit.SECONDS.toNanos(15);
        }
        Thread.sleep(1000);
      }
    }
  }

  /**
   * The machine's CPU when it was nearly all used (by the farm, or by anything else running beside it), and by whom,
   * with the run queue sampled over the job ({@link RunQueue.Reading#UNKNOWN} if it was not); else the members' idle
   * time between tiles, which is the hand-out through the share group.
   */
  static String bottleneck(double busy, double machineBusy, double membersBusy, Map<String, Double> used,
      BenchStats wait, RunQueue.Reading queued, int cores) {
    String queue = queued.text(cores);
    String cpu = "during the last job, " + Bottleneck.machine(cores, machineBusy, busy, "process", used)
        + (queue.isEmpty() ? "" : "; " + queue)
        + String.format(Locale.ROOT, "; the members were busy (sleeping in tiles) %.0f%% of the time",
            100 * membersBusy)
        + (wait.isEmpty() ? "; no tile of the job started" : "");
    String waited = wait.isEmpty() ? "" : String.format(Locale.ROOT, "; a tile waited p50 %.0f ms, p99 %.0f ms from "
        + "task to start", wait.percentile(50), wait.percentile(99));
    return Bottleneck.cpu(machineBusy, busy, cpu).orElseGet(() -> "not CPU (" + cpu + "): members wait between "
        + "tiles for the share group to hand them out" + waited);
  }
}
