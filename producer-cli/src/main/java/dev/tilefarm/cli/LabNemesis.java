package dev.tilefarm.cli;

import dev.tilefarm.embedded.S3FaultProxy;
import dev.tilefarm.embedded.S3FaultProxy.Fault;
import dev.tilefarm.embedded.S3FaultProxy.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The nemesis: faults at random times from a seed, in two lanes that run side by side: one hurts processes and the
 * network (kills, freezes, partitions), one makes S3 misbehave through the fault proxy. Each lane goes through its
 * kinds in a seeded order, again and again, until the run's time is up and it has been through all its kinds at
 * least {@code rounds} times; a fault ends healed (restarted, thawed,
 * reconnected, cleared) before the next of its lane starts. Every fault is recorded with what was seen of it.
 */
final class LabNemesis {
  /** The kinds of fault, each with whether it hurts a process or the network ({@code process}) or S3. */
  enum Kind {
    KILL_CONTROLLER(true), KILL_RESULTS_LEADER(true), KILL_BROKER(true), KILL_SPLITTER(true),
    KILL_COMPOSITOR_FRESH(true), KILL_WORKER(true), FREEZE_WORKER(true), PARTITION_WORKER(true),
    PARTITION_COMPOSITOR(true), PARTITION_BROKER(true),
    S3_500(false), S3_503(false), S3_429(false), S3_SLOW(false), S3_TRUNCATED(false), S3_CORRUPTED(false),
    S3_DOWN(false);

    final boolean process;

    Kind(boolean process) {
      this.process = process;
    }

    boolean partition() {
      return name().startsWith("PARTITION_");
    }

    /** Whether recovery is counted from the fault's start (a kill: the farm must cope at once) or its heal. */
    boolean instant() {
      return name().startsWith("KILL_");
    }
  }

  /** One fault as it happened: what, to whom, from when until it was healed, and whether it was seen to happen. */
  record Record(Kind kind, String target, long start, long end, boolean observed, String note) {
    /** When the farm is to make progress again from: the kill itself, or the heal of a lasting fault. */
    long recoveryFrom() {
      return kind.instant() ? start : end;
    }
  }

  /** How long faults last. */
  record Timing(Duration partition, Duration s3Down, Duration s3Window, Duration freeze, Duration gapMin,
      Duration gapMax) {
    static final Timing FULL = new Timing(Duration.ofSeconds(50), Duration.ofSeconds(60), Duration.ofSeconds(15),
        Duration.ofSeconds(25), Duration.ofSeconds(5), Duration.ofSeconds(15));
  }

  private static final java.time.format.DateTimeFormatter CLOCK = java.time.format.DateTimeFormatter
      .ofPattern("HH:mm:ss.S").withZone(java.time.ZoneOffset.UTC);

  private final Lab lab;
  private final Random random;
  private final Timing timing;
  private final List<Record> records = new CopyOnWriteArrayList<>();
  private final Lab.PrintStreamLog log;

  LabNemesis(Lab lab, long seed, Timing timing, Lab.PrintStreamLog log) {
    this.lab = lab;
    this.random = new Random(seed);
    this.timing = timing;
    this.log = log;
  }

  List<Record> records() {
    return records;
  }

  /** The kinds this lab can inject: all, but partitions only with hosts in network namespaces. */
  List<Kind> possible() {
    List<Kind> out = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (!k.partition() || lab.partitionsPossible()) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * Runs both lanes until {@code until} (epoch ms) and until each has injected every one of its kinds at least
   * {@code rounds} times; every fault is healed when this returns.
   */
  void run(long until, int rounds) throws Exception {
    List<Kind> processKinds = new ArrayList<>(possible().stream().filter(k -> k.process).toList());
    List<Kind> s3Kinds = new ArrayList<>(possible().stream().filter(k -> !k.process).toList());
    Random processOrder = new Random(random.nextLong());
    Random s3Order = new Random(random.nextLong());
    Thread s3Lane = Thread.ofPlatform().name("nemesis-s3").start(() -> {
      try {
        lane(s3Kinds, s3Order, until, rounds);
      } catch (Exception e) {
        log.say("nemesis: the S3 lane stopped: " + e);
      }
    });
    try {
      lane(processKinds, processOrder, until, rounds);
    } finally {
      s3Lane.join();
    }
  }

  private void lane(List<Kind> kinds, Random order, long until, int rounds) throws Exception {
    List<Kind> round = new ArrayList<>();
    int completed = 0; // rounds of which every kind has been injected
    while (System.currentTimeMillis() < until || completed < rounds) {
      if (round.isEmpty()) {
        round.addAll(kinds);
        Collections.shuffle(round, order);
      }
      long gap = timing.gapMin().toMillis()
          + (long) (order.nextDouble() * (timing.gapMax().toMillis() - timing.gapMin().toMillis()));
      Thread.sleep(gap);
      if (System.currentTimeMillis() >= until && completed >= rounds) {
        return;
      }
      Kind k = round.remove(0);
      if (round.isEmpty()) {
        completed++;
      }
      long start = System.currentTimeMillis();
      Record r;
      try {
        r = inject(k, order);
      } catch (Exception e) {
        // The fault went in but the lab could not see it through (a role that would not start again, say): it
        // counts as not observed, and the lab's supervisor keeps the role running.
        r = new Record(k, "?", start, System.currentTimeMillis(), false, "the lab failed: " + e.getMessage()
            .lines().findFirst().orElse(""));
      }
      records.add(r);
      // With its times (UTC), so that the roles' logs and the events can be read against it.
      log.say(String.format("nemesis: %-21s %-14s %5.1f s  %s-%s  %s%s", k, r.target(),
          (r.end() - r.start()) / 1000.0, CLOCK.format(java.time.Instant.ofEpochMilli(r.start())),
          CLOCK.format(java.time.Instant.ofEpochMilli(r.end())), r.observed() ? "observed" : "NOT OBSERVED",
          r.note().isEmpty() ? "" : " (" + r.note() + ")"));
    }
  }

  private Record inject(Kind kind, Random pick) throws Exception {
    return switch (kind) {
      case KILL_CONTROLLER -> killBroker(kind, controller());
      case KILL_RESULTS_LEADER -> killBroker(kind, resultsLeader());
      case KILL_BROKER -> killBroker(kind, 1 + pick.nextInt(Lab.BROKERS));
      case KILL_SPLITTER -> killAndRestart(kind, any("splitter", pick), false);
      case KILL_COMPOSITOR_FRESH -> killAndRestart(kind, any("compositor", pick), true);
      case KILL_WORKER -> killWorker(any("worker", pick));
      case FREEZE_WORKER -> freeze(any("worker", pick));
      case PARTITION_WORKER -> partition(kind, any("worker", pick));
      case PARTITION_COMPOSITOR -> partition(kind, any("compositor", pick));
      case PARTITION_BROKER -> partition(kind, lab.broker(1 + pick.nextInt(Lab.BROKERS)));
      case S3_500 -> s3(kind, Rule.sometimes(new Fault.Status(500), 0.3), timing.s3Window());
      case S3_503 -> s3(kind, Rule.sometimes(new Fault.Status(503), 0.3), timing.s3Window());
      case S3_429 -> s3(kind, Rule.sometimes(new Fault.Status(429), 0.3), timing.s3Window());
      // Beyond the farm's 10 s socket timeout: the client gives up and cannot know whether a write happened.
      case S3_SLOW -> s3(kind, Rule.sometimes(new Fault.Slow(Duration.ofSeconds(65)), 0.05), timing.s3Window());
      case S3_TRUNCATED -> s3(kind, new Rule(new Fault.Truncate(), 0.2, "GET", null), timing.s3Window());
      case S3_CORRUPTED -> s3(kind, new Rule(new Fault.Corrupt(), 0.2, "GET", null), timing.s3Window());
      case S3_DOWN -> s3Down();
    };
  }

  private Lab.Role any(String kind, Random pick) {
    List<Lab.Role> roles = lab.roles(kind);
    return roles.get(pick.nextInt(roles.size()));
  }

  private int controller() throws Exception {
    try (Admin admin = lab.admin()) {
      return admin.describeMetadataQuorum().quorumInfo().get().leaderId();
    }
  }

  private int resultsLeader() throws Exception {
    String topic = lab.clientSettings().topics().tileResults().name();
    try (Admin admin = lab.admin()) {
      TopicPartitionInfo p0 = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .get(0);
      return p0.leader().id();
    }
  }

  private Record killBroker(Kind kind, int nodeId) throws Exception {
    Lab.Role b = lab.broker(nodeId);
    // A broker that is the active controller too takes longer to fail over (a controller election, then the new
    // controller's session timeout before it fences the dead broker): the note says so.
    boolean controller = kind != Kind.KILL_CONTROLLER && controllerOrMinusOne() == nodeId;
    Record r = killAndRestart(kind, b, false);
    return controller ? new Record(r.kind(), r.target(), r.start(), r.end(), r.observed(), r.note()
        + ", the active controller too") : r;
  }

  private int controllerOrMinusOne() {
    try {
      return controller();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      return -1; // no quorum to ask: the note says nothing of it
    }
  }

  private Record killAndRestart(Kind kind, Lab.Role r, boolean fresh) throws Exception {
    long start = System.currentTimeMillis();
    lab.kill(r);
    int exit = r.process.exitValue();
    boolean observed = exit == 137; // 128 + SIGKILL
    Thread.sleep(r.kind.equals("broker") ? 5000 : 1000);
    String restarted = fresh ? ", restarted on a fresh state directory" : ", restarted";
    try {
      if (fresh) {
        lab.restartFresh(r);
      } else {
        lab.restart(r);
      }
    } catch (IllegalStateException e) {
      // It ended while starting: the supervisor starts it again, and the report lists the exit.
      restarted += ", which ended while starting";
    }
    return new Record(kind, r.name, start, System.currentTimeMillis(), observed, "exit " + exit + restarted);
  }

  private Record killWorker(Lab.Role r) throws Exception {
    long start = System.currentTimeMillis();
    lab.kill(r);
    boolean observed = r.process.exitValue() == 137;
    Lab.Role next = lab.replaceWorker(r);
    return new Record(Kind.KILL_WORKER, r.name, start, System.currentTimeMillis(), observed,
        "replaced by " + next.name);
  }

  private Record freeze(Lab.Role r) throws Exception {
    long start = System.currentTimeMillis();
    lab.signal(r, "STOP");
    boolean observed = Lab.frozen(r);
    Thread.sleep(timing.freeze().toMillis());
    lab.signal(r, "CONT");
    return new Record(Kind.FREEZE_WORKER, r.name, start, System.currentTimeMillis(), observed,
        "SIGSTOP past its 15 s lock, then SIGCONT");
  }

  private Record partition(Kind kind, Lab.Role r) throws Exception {
    long start = System.currentTimeMillis();
    lab.cut(r);
    // Cut off, the host neither accepts nor refuses: a connection attempt to it times out.
    boolean observed = !answers(r.host.address());
    Thread.sleep(timing.partition().toMillis());
    lab.heal(r);
    return new Record(kind, r.name, start, System.currentTimeMillis(), observed,
        "link down for " + timing.partition().toSeconds() + " s");
  }

  /** Whether the host answers at all: accepts, or refuses at once (a closed port), rather than stays silent. */
  private static boolean answers(String address) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(address, 1), 1500);
      return true;
    } catch (java.net.ConnectException e) {
      return !String.valueOf(e.getMessage()).contains("timed out");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private Record s3(Kind kind, Rule rule, Duration window) throws Exception {
    S3FaultProxy proxy = lab.proxy();
    String name = rule.fault().name();
    long before = proxy.injected().getOrDefault(name, 0L);
    long start = System.currentTimeMillis();
    proxy.set(rule);
    Thread.sleep(window.toMillis());
    // A rare fault on little traffic may not have struck yet: keep it in force a while longer until it has.
    long deadline = System.currentTimeMillis() + 3 * window.toMillis();
    while (proxy.injected().getOrDefault(name, 0L) == before && System.currentTimeMillis() < deadline) {
      Thread.sleep(500);
    }
    proxy.clear();
    long hit = proxy.injected().getOrDefault(name, 0L) - before;
    return new Record(kind, "s3", start, System.currentTimeMillis(), hit > 0,
        hit + " requests " + name + " (" + (int) (rule.fraction() * 100) + "% of " + (rule.method() == null ? "all"
            : rule.method()) + ")");
  }

  private Record s3Down() throws Exception {
    S3FaultProxy proxy = lab.proxy();
    long start = System.currentTimeMillis();
    proxy.down();
    // A connection attempt refused within a few seconds (a socket closed under load may take a moment to go).
    boolean observed = false;
    for (int i = 0; i < 10 && !observed; i++) {
      observed = !proxy.isUp() && !Lab.reachable(proxy.endpoint().getHost(), proxy.endpoint().getPort());
      if (!observed) {
        Thread.sleep(500);
      }
    }
    Thread.sleep(timing.s3Down().toMillis());
    proxy.up();
    return new Record(Kind.S3_DOWN, "s3", start, System.currentTimeMillis(), observed,
        "connections refused for " + timing.s3Down().toSeconds() + " s");
  }
}
