package dev.tilefarm.bench.pipeline;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A farm of processes: the broker ({@code tilefarm broker}, a one-node KRaft quorum), the S3 server
 * ({@code tilefarm s3}) and every role ({@code tilefarm splitter|compositor|worker}), each a JVM of its own, so that
 * the operating system tells each one's CPU time apart. The bench only submits jobs and reads topics, through
 * {@link #client()}. Optionally every process records a JFR profile, read back by {@link JfrProfile}.
 */
final class ProcessFarm implements AutoCloseable {
  private final Bench bench;
  private final Path dir;
  private final boolean profile;
  private final Map<String, List<Process>> roles = new LinkedHashMap<>();
  private final Map<String, List<Path>> recordings = new LinkedHashMap<>();
  private BenchFarm client;

  private ProcessFarm(Bench bench, Path dir, boolean profile) {
    this.bench = bench;
    this.dir = dir;
    this.profile = profile;
  }

  /** Starts the broker and the S3 server; the roles follow with {@link #start}. */
  static ProcessFarm start(Bench bench, String name, boolean profile) throws Exception {
    Path dir = Files.createDirectories(bench.scratch().resolve(name + "-" + System.nanoTime()));
    ProcessFarm farm = new ProcessFarm(bench, dir, profile);
    try {
      int brokerPort = freePort();
      int controllerPort = freePort();
      int s3Port = freePort();
      farm.launch("broker", List.of(), 0, List.of("broker", "--node-id", "1", "--voters",
          "1@127.0.0.1:" + controllerPort, "--listen", "127.0.0.1:" + brokerPort, "--cluster-id",
          Uuid.randomUuid().toString(), "--data-dir", dir.toString()));
      farm.launch("S3 server", List.of(), 0, List.of("s3", "--port", String.valueOf(s3Port), "--data-dir",
          dir.toString()));
      farm.client = bench.connect("127.0.0.1:" + brokerPort, URI.create("http://127.0.0.1:" + s3Port), dir);
      return farm;
    } catch (Exception | Error e) {
      farm.close();
      throw e;
    }
  }

  /** The bench's client of this farm. */
  BenchFarm client() {
    return client;
  }

  /** Starts {@code tilefarm ROLE ARGS} against this farm as one more process counted under {@code label}. */
  Process start(String label, List<String> jvmOptions, String role, String... args) throws Exception {
    return startNiced(0, label, jvmOptions, role, args);
  }

  /**
   * As {@link #start}, at the scheduling niceness {@code niceness} (Linux {@code nice}: higher yields the CPU to the
   * rest sooner); 0 is the bench's own.
   */
  Process startNiced(int niceness, String label, List<String> jvmOptions, String role, String... args)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(role);
    command.addAll(List.of(args));
    command.addAll(client.connectionOptions());
    return launch(label, jvmOptions, niceness, command);
  }

  private Process launch(String label, List<String> jvmOptions, int niceness, List<String> args) throws Exception {
    List<String> jvm = new ArrayList<>(jvmOptions);
    if (profile) {
      Path jfr = dir.resolve(label.replaceAll("[^A-Za-z0-9]", "-") + "-" + roles.getOrDefault(label, List.of()).size()
          + ".jfr");
      jvm.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
      recordings.computeIfAbsent(label, k -> new ArrayList<>()).add(jfr);
    }
    List<String> commandLine = new ArrayList<>();
    if (niceness != 0) { // nice runs the command in its own process (exec), so the process is still the role's
      commandLine.addAll(List.of("nice", "-n", String.valueOf(niceness)));
    }
    commandLine.addAll(bench.tilefarmCommand(jvm, args));
    Process p = RoleProcesses.launch(commandLine, args.get(0));
    roles.computeIfAbsent(label, k -> new ArrayList<>()).add(p);
    return p;
  }

  /** CPU time used so far by each label's processes together, in milliseconds, in the order they started. */
  Map<String, Double> cpuMillis() {
    Map<String, Double> out = new LinkedHashMap<>();
    roles.forEach((label, ps) -> out.put(label, ps.stream().mapToDouble(ProcessFarm::cpuMillis).sum()));
    return out;
  }

  /** Forgets {@code stopped} processes, so that {@link #cpuMillis} no longer counts them. */
  void forget(List<Process> stopped) {
    roles.values().forEach(ps -> ps.removeAll(stopped));
  }

  /** A process's CPU time (user and system) so far; it fails rather than count a process it cannot read. */
  static double cpuMillis(Process p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElseThrow(() ->
        new IllegalStateException("no CPU time for process " + p.pid() + " (not Linux, or it exited)")) / 1e6;
  }

  /**
   * Stops the roles, then the S3 server and the broker; returns the JFR recordings by label (empty unless
   * profiling).
   */
  Map<String, List<Path>> stop() throws InterruptedException {
    if (client != null) {
      client.close();
      client = null;
    }
    List<String> labels = new ArrayList<>(roles.keySet());
    java.util.Collections.reverse(labels);
    for (String label : labels) {
      RoleProcesses.stop(roles.get(label));
    }
    roles.clear();
    return recordings;
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
