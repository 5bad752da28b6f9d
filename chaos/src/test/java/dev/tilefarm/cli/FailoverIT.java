package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-over of the Kafka Streams roles, with every role a separate JVM running the tilefarm command: a broker and
 * S3 server ({@code tilefarm up --no-roles}), two splitters, two compositors and three workers, on topics of four
 * partitions. During one 256-tile job the compositor that holds the job's partition is killed with SIGKILL and
 * restarted on a fresh state directory (a pod without a volume), twice, so that the second time the job moves to
 * the instance that started empty; then the splitter that holds the next job's partition is killed just before
 * that job is submitted. Each job must complete once with the fault-free reference's sha256.
 *
 * <p>The test prints how long the farm took to make progress again after each kill: from the kill to the next
 * PROGRESS event a client reads (read_committed), or for the splitter from the submission to the job's ACCEPTED.
 * It asserts no times: the machine running it decides those.
 */
class FailoverIT {
  /** 256 tiles of a slow-ish Mandelbrot view, as in ChaosIT. */
  private static final String JOB = "\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":512,\"height\":512,"
      + "\"tileSize\":32,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":600,\"iterations\":6000}";
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(8);
  private static final int PARTITIONS = 4;
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  @TempDir
  Path dir;
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final ExecutorService faults = Executors.newSingleThreadExecutor();
  private int kafkaPort;
  private int s3Port;
  private final Map<String, Role> compositors = new HashMap<>();
  private final Map<String, Role> splitters = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();

  /** A running role process and the state directory of its Kafka Streams application. */
  private record Role(Process process, Path stateDir) {}

  @AfterEach
  void stopAll() throws Exception {
    faults.shutdownNow();
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      p.waitFor();
    }
  }

  @Test
  void aKilledCompositorOrSplitterIsReplacedAndEveryJobCompletesOnce() throws Exception {
    kafkaPort = freePort();
    s3Port = freePort();
    start("broker", "broker", "up", "--no-roles", "--kafka-port", String.valueOf(kafkaPort), "--s3-port",
        String.valueOf(s3Port), "--data-dir", dir.resolve("farm").toString());
    for (String name : List.of("a", "b")) {
      splitters.put(name, role("splitter", name, "splitter-" + name));
      compositors.put(name, role("compositor", name, "compositor-" + name));
    }
    for (int i = 0; i < 3; i++) {
      start("worker-" + i, "worker-" + i, "worker", "--threads", "1", "--id", "failover-worker-" + i);
    }
    Settings settings = clientSettings();

    long t0 = System.nanoTime();
    String reference = run(settings, "reference", e -> { });
    System.out.printf("failover: reference job in %d s, sha256 %s%n", secondsSince(t0), reference);

    // The compositor holding the job's partition killed at 20% of the tiles and restarted on a fresh state
    // directory; at 60%, the one holding it then (the other instance, whose standby took over) killed the same
    // way, so that the job finishes on the instance that started empty.
    int[] marks = {51, 154};
    AtomicInteger step = new AtomicInteger();
    List<Future<?>> pending = new ArrayList<>();
    AtomicLong killedAt = new AtomicLong();
    AtomicInteger latest = new AtomicInteger();
    AtomicInteger doneAtKill = new AtomicInteger();
    List<Long> recoveries = new CopyOnWriteArrayList<>();
    String jobId = "failover-compositor";
    t0 = System.nanoTime();
    String failedOver = run(settings, jobId, e -> {
      // The job's last tiles may come in as its COMPLETED alone.
      int done = e instanceof JobEvent.Progress p ? p.done() : e instanceof JobEvent.Completed ? Integer.MAX_VALUE : -1;
      if (done < 0) {
        return;
      }
      latest.set(done);
      if (killedAt.get() > 0 && done > doneAtKill.get()) {
        recoveries.add(System.nanoTime() - killedAt.get());
        killedAt.set(0);
      }
      int s = step.get();
      if (s < marks.length && done >= marks[s] && killedAt.get() == 0 && pending.size() == s
          && step.compareAndSet(s, s + 1)) {
        killedAt.set(-1); // a kill under way: the next mark waits for the progress after it
        pending.add(faults.submit(() -> {
          killOwner("compositor", compositors, "tilefarm.tile-results", settings, jobId, () -> {
            doneAtKill.set(latest.get());
            killedAt.set(System.nanoTime());
          });
          return null;
        }));
      }
    });
    for (Future<?> f : pending) {
      f.get(3, TimeUnit.MINUTES);
    }
    System.out.printf("failover: compositor owning the job killed -9 twice, each restarted on a fresh state "
        + "directory; job in %d s; next progress %s after each kill%n", secondsSince(t0), seconds(recoveries));
    assertEquals(marks.length, step.get(), "both kills happened during the job");
    assertEquals(reference, failedOver);

    // The splitter holding the next job's partition of the jobs topic killed, the job submitted right after.
    // The job is submitted right after the kill, while the replacement starts.
    String splitJob = "failover-splitter";
    long[] splitterKilledAt = {0};
    String killed = kill("splitter", splitters, "tilefarm.jobs", settings, splitJob);
    splitterKilledAt[0] = System.nanoTime();
    Future<?> replaced = faults.submit(() -> {
      restart("splitter", splitters, killed);
      return null;
    });
    long[] accepted = {0};
    String split = run(settings, splitJob, e -> {
      if (e instanceof JobEvent.Accepted && accepted[0] == 0) {
        accepted[0] = System.nanoTime();
      }
    });
    replaced.get(3, TimeUnit.MINUTES);
    System.out.printf("failover: splitter owning the job killed -9 (restarted on a fresh state directory) and the "
        + "job submitted at once: ACCEPTED %.1f s after the kill; job in %d s%n",
        (accepted[0] - splitterKilledAt[0]) / 1e9, secondsSince(splitterKilledAt[0]));
    assertEquals(reference, split);

    try (JobClient client = new JobClient(settings)) {
      for (String id : List.of("reference", jobId, splitJob)) {
        List<JobEvent> history = client.history(id);
        assertEquals(1, history.stream().filter(e -> e instanceof JobEvent.Completed).count(), id + ": " + history);
        assertTrue(history.stream().noneMatch(e -> e instanceof JobEvent.Failed), id + ": " + history);
      }
    }
    System.out.printf("failover: 3 jobs of 256 tiles, %d role processes killed and replaced, lost: 0%n", restarts.get());
  }

  /**
   * Kills with SIGKILL the instance of {@code role} whose Kafka Streams task holds {@code topic}'s partition of
   * {@code jobId}, calls {@code killed} right after the kill, and starts a replacement on a fresh state directory.
   */
  private void killOwner(String role, Map<String, Role> instances, String topic, Settings settings, String jobId,
      Runnable killed) throws Exception {
    String owner = kill(role, instances, topic, settings, jobId);
    killed.run();
    restart(role, instances, owner);
  }

  /** Kills with SIGKILL the instance whose task holds {@code topic}'s partition of {@code jobId}; returns its name. */
  private String kill(String role, Map<String, Role> instances, String topic, Settings settings, String jobId)
      throws Exception {
    int partition;
    try (JobClient client = new JobClient(settings)) {
      partition = client.partitionOf(jobId).partition();
    }
    String owner = owner("tilefarm." + (role.equals("splitter") ? "tile-splitter" : role), topic, partition,
        instances);
    Role victim = instances.get(owner);
    victim.process().destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the group
    victim.process().waitFor();
    System.out.printf("failover: killed %s-%s, the owner of %s-%d%n", role, owner, topic, partition);
    return owner;
  }

  /** Starts a replacement of the instance {@code name} on a fresh state directory. */
  private void restart(String role, Map<String, Role> instances, String name) throws Exception {
    restarts.incrementAndGet();
    instances.put(name, role(role, name, role + "-" + name + "-fresh-" + restarts.get()));
  }

  /** The name of the instance whose group member is assigned {@code topic}-{@code partition}. */
  private String owner(String group, String topic, int partition, Map<String, Role> instances) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + kafkaPort))) {
      while (System.nanoTime() < deadline) {
        for (MemberDescription m : admin.describeConsumerGroups(List.of(group)).all().get().get(group).members()) {
          boolean holds = m.assignment().topicPartitions().stream()
              .anyMatch(tp -> tp.topic().equals(topic) && tp.partition() == partition);
          Matcher id = UUID.matcher(m.clientId());
          if (holds && id.find()) {
            for (Map.Entry<String, Role> e : instances.entrySet()) {
              if (processId(e.getValue().stateDir()).equals(id.group())) {
                return e.getKey();
              }
            }
          }
        }
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("no member of " + group + " holds " + topic + "-" + partition);
  }

  /** The Kafka Streams process id an instance keeps in its state directory. */
  private static String processId(Path stateDir) throws IOException {
    try (Stream<Path> files = Files.walk(stateDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("kafka-streams-process-metadata")).toList()) {
        Matcher m = UUID.matcher(Files.readString(f));
        if (m.find()) {
          return m.group();
        }
      }
    }
    return "";
  }

  /** Submits the job under {@code id}, calls {@code events} with each of its events, returns the COMPLETED sha256. */
  private String run(Settings settings, String id, JobClient.Listener events) throws Exception {
    try (JobClient client = new JobClient(settings)) {
      var from = client.eventPositions();
      client.submit((ObjectNode) Json.MAPPER.readTree("{\"id\":\"" + id + "\"," + JOB + "}"));
      Map<String, JobEvent> ends = client.await(List.of(id), Set.of(), from, JOB_TIMEOUT, events);
      return assertInstanceOf(JobEvent.Completed.class, ends.get(id), id + ": " + ends.get(id)).sha256();
    }
  }

  private Settings clientSettings() {
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
    flags.put("s3.endpoint", "http://127.0.0.1:" + s3Port);
    flags.put("s3.access-key", Settings.EMBEDDED_ACCESS_KEY);
    flags.put("s3.secret-key", Settings.EMBEDDED_SECRET_KEY);
    flags.put("topic.partitions", String.valueOf(PARTITIONS));
    flags.put("data.dir", dir.resolve("client").toString());
    return Settings.load(flags, Map.of(), null);
  }

  /**
   * Starts the splitter or compositor {@code instance} on the data directory {@code dataName}. With
   * {@code -Dfailover.static=true} each instance is a static member of its group ({@code group.instance.id}, the
   * same for its replacement, as a StatefulSet's pod name would be), to compare.
   */
  private Role role(String role, String instance, String dataName) throws Exception {
    Map<String, String> env = new HashMap<>();
    if (Boolean.getBoolean("failover.static")) {
      Path config = dir.resolve(dataName + ".kafka.properties");
      Files.writeString(config, "main.consumer.group.instance.id=" + role + "-" + instance + "\n");
      env.put("TILEFARM_KAFKA_CONFIG", config.toString());
    }
    Process p = start(dataName, dataName, env, role);
    return new Role(p, dir.resolve(dataName).resolve(role + "-state"));
  }

  private Process start(String name, String dataName, String... args) throws Exception {
    return start(name, dataName, Map.of(), args);
  }

  /** Starts {@code tilefarm ARGS...} in a JVM of its own on the data directory of {@code dataName}. */
  private Process start(String name, String dataName, Map<String, String> env, String... args) throws Exception {
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "dev.tilefarm.cli.Main"));
    cmd.addAll(List.of(args));
    if (!args[0].equals("up")) {
      cmd.addAll(List.of("--bootstrap-server", "127.0.0.1:" + kafkaPort, "--s3-endpoint",
          "http://127.0.0.1:" + s3Port, "--s3-access-key", Settings.EMBEDDED_ACCESS_KEY, "--s3-secret-key",
          Settings.EMBEDDED_SECRET_KEY, "--data-dir", dir.resolve(dataName).toString()));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TILEFARM_TOPIC_PARTITIONS", String.valueOf(PARTITIONS));
    // The broker's shortest lock: a killed worker's tile comes back in 15 s.
    pb.environment().put("TILEFARM_WORKER_LOCK_DURATION_MS", "15000");
    pb.environment().put("TILEFARM_LOG_DIR", dir.resolve("logs-" + name).toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    RoleLog.awaitReady(name, p, log, args[0]);
    return p;
  }

  private static String seconds(List<Long> nanos) {
    return nanos.stream().map(n -> String.format("%.1f s", n / 1e9)).toList().toString();
  }

  private static long secondsSince(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0).toSeconds();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
