package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite: the farm as separate processes, each a JVM running the tilefarm command — a broker and S3
 * server ({@code tilefarm up --no-roles}, fixed ports, persistent data directory), a splitter, a compositor and
 * three workers — and faults injected into them while a 256-tile job renders: workers killed with SIGKILL
 * again and again, the compositor killed and restarted, the broker stopped and restarted, S3 unreachable for
 * a while (the roles reach S3 through a proxy in this test, which drops every connection and refuses new ones).
 * Every time the job must complete with an image byte-identical to the fault-free reference and exactly one
 * COMPLETED event.
 */
class ChaosIT {
  /** 256 tiles of a slow-ish Mandelbrot view: long enough to hit with faults, cheap enough for CI. */
  private static final String JOB = "\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":512,\"height\":512,"
      + "\"tileSize\":32,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":600,\"iterations\":6000}";
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);

  @TempDir
  Path dir;
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final Random random = new Random(6);
  private int kafkaPort;
  private int s3Port;
  private Proxy s3;
  private Process broker;
  private Process compositor;
  private final List<Process> workers = new ArrayList<>();
  private int faults;

  @AfterEach
  void stopAll() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      p.waitFor();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void jobsCompleteIdenticallyThroughWorkerCompositorBrokerAndStorageFaults() throws Exception {
    kafkaPort = freePort();
    s3Port = freePort();
    broker = startBroker();
    s3 = new Proxy(freePort(), s3Port);
    start("splitter", "splitter");
    compositor = start("compositor", "compositor");
    for (int i = 0; i < 3; i++) {
      workers.add(start("worker-" + i, "worker", "--threads", "1", "--id", "chaos-worker-" + i));
    }
    Settings settings = clientSettings();
    long t0 = System.nanoTime();
    String reference = run(settings, "reference", done -> { });
    System.out.printf("chaos: reference job in %d s, sha256 %s%n", secondsSince(t0), reference);

    // Workers killed -9 at 10%, 25% and 40% of the tiles (and started again), the compositor at 55%.
    int[] step = {0};
    t0 = System.nanoTime();
    String killed = run(settings, "chaos-kills", done -> {
      int[] marks = {26, 64, 102, 141};
      while (step[0] < marks.length && done >= marks[step[0]]) {
        try {
          if (step[0] < 3) {
            int w = random.nextInt(workers.size());
            kill(workers.get(w));
            workers.set(w, start("worker-" + w + "-" + step[0], "worker", "--threads", "1", "--id",
                "chaos-worker-" + w + "-" + step[0]));
          } else {
            kill(compositor);
            // Restarted on its own data directory, as a pod on its volume: the state directory keeps the
            // Streams process id, so the new instance's transactions fence the dead one's open transaction at
            // once instead of leaving it open until its timeout.
            compositor = startOn("compositor-again", "compositor", "compositor");
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        step[0]++;
      }
    });
    System.out.printf("chaos: 3 workers and the compositor killed -9 and restarted; job in %d s%n", secondsSince(t0));
    assertEquals(reference, killed);

    // The broker (and the S3 server beside it) stopped and started again on the same data directory.
    boolean[] bounced = {false};
    t0 = System.nanoTime();
    String restarted = run(settings, "chaos-broker", done -> {
      if (!bounced[0] && done >= 64) {
        bounced[0] = true;
        try {
          broker.destroy();
          broker.waitFor();
          faults++;
          Thread.sleep(3000);
          broker = startBroker();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
    System.out.printf("chaos: broker stopped and restarted; job in %d s%n", secondsSince(t0));
    assertTrue(bounced[0], "the broker was restarted during the job");
    assertEquals(reference, restarted);

    // S3 unreachable for 15 s.
    boolean[] cut = {false};
    t0 = System.nanoTime();
    String storage = run(settings, "chaos-s3", done -> {
      if (!cut[0] && done >= 64) {
        cut[0] = true;
        s3.down();
        faults++;
        try {
          Thread.sleep(15_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        s3.up();
      }
    });
    System.out.printf("chaos: S3 unreachable for 15 s; job in %d s%n", secondsSince(t0));
    assertTrue(cut[0], "S3 was cut during the job");
    assertEquals(reference, storage);

    try (JobClient client = new JobClient(settings)) {
      for (String id : List.of("reference", "chaos-kills", "chaos-broker", "chaos-s3")) {
        List<JobEvent> history = client.history(id);
        assertEquals(1, history.stream().filter(e -> e instanceof JobEvent.Completed).count(), id + ": " + history);
        assertTrue(history.stream().noneMatch(e -> e instanceof JobEvent.Failed), id + ": " + history);
      }
    }
    System.out.printf("chaos: 4 jobs of 256 tiles, %d faults injected, lost: 0%n", faults);
  }

  /** Submits the job under {@code id}, calls {@code onProgress} with each tile count, returns the COMPLETED sha256. */
  private String run(Settings settings, String id, IntConsumer onProgress) throws Exception {
    try (JobClient client = new JobClient(settings)) {
      var from = client.eventPositions();
      client.submit((com.fasterxml.jackson.databind.node.ObjectNode) dev.tilefarm.schemas.Json.MAPPER.readTree(
          "{\"id\":\"" + id + "\"," + JOB + "}"));
      Map<String, JobEvent> ends = client.await(List.of(id), Set.of(), from, JOB_TIMEOUT, e -> {
        if (e instanceof JobEvent.Progress p) {
          onProgress.accept(p.done());
        }
      });
      return assertInstanceOf(JobEvent.Completed.class, ends.get(id), id + ": " + ends.get(id)).sha256();
    }
  }

  private void kill(Process p) throws InterruptedException {
    p.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the broker
    p.waitFor();
    faults++;
  }

  private Settings clientSettings() {
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
    flags.put("s3.endpoint", "http://127.0.0.1:" + s3.port);
    flags.put("s3.access-key", Settings.EMBEDDED_ACCESS_KEY);
    flags.put("s3.secret-key", Settings.EMBEDDED_SECRET_KEY);
    flags.put("data.dir", dir.resolve("client").toString());
    return Settings.load(flags, Map.of(), null);
  }

  private Process startBroker() throws Exception {
    return start("broker", "up", "--no-roles", "--kafka-port", String.valueOf(kafkaPort), "--s3-port",
        String.valueOf(s3Port), "--data-dir", dir.resolve("farm").toString());
  }

  /** Starts {@code tilefarm ARGS...} in a JVM of its own and waits until it says it is ready. */
  private Process start(String name, String... args) throws Exception {
    return startOn(name, name, args);
  }

  /** As {@link #start(String, String...)}, on the data directory of {@code dataName}. */
  private Process startOn(String name, String dataName, String... args) throws Exception {
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), "dev.tilefarm.cli.Main"));
    cmd.addAll(List.of(args));
    if (!args[0].equals("up")) {
      cmd.addAll(List.of("--bootstrap-server", "127.0.0.1:" + kafkaPort, "--s3-endpoint",
          "http://127.0.0.1:" + s3.port, "--s3-access-key", Settings.EMBEDDED_ACCESS_KEY, "--s3-secret-key",
          Settings.EMBEDDED_SECRET_KEY, "--data-dir", dir.resolve(dataName).toString()));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    // Short locks, so a killed worker's tile comes back in 15 s (the broker's minimum), not 30.
    pb.environment().put("TILEFARM_WORKER_LOCK_DURATION_MS", "15000");
    pb.environment().put("TILEFARM_LOG_DIR", dir.resolve("logs-" + name).toString());
    Process p = pb.start();
    processes.add(p);
    RoleLog.awaitReady(name, p, log, args[0]);
    return p;
  }

  private static long secondsSince(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0).toSeconds();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A TCP proxy to the S3 server that can be cut: down() closes every connection and refuses new ones. */
  private static final class Proxy implements AutoCloseable {
    final int port;
    private final int target;
    private volatile ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    Proxy(int port, int target) throws IOException {
      this.port = port;
      this.target = target;
      up();
    }

    synchronized void up() {
      try {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = s;
        Thread t = new Thread(() -> accept(s), "s3-proxy");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    synchronized void down() {
      try {
        server.close();
      } catch (IOException e) {
        // closed
      }
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          // closed
        }
      }
      open.clear();
    }

    private void accept(ServerSocket s) {
      while (!s.isClosed()) {
        try {
          Socket client = s.accept();
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
          open.add(client);
          open.add(upstream);
          pipe(client, upstream);
          pipe(upstream, client);
        } catch (IOException e) {
          // the proxy is down, or the server is: the client sees a refused or dropped connection
        }
      }
    }

    private void pipe(Socket from, Socket to) {
      Thread t = new Thread(() -> {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException e) {
          // connection cut
        } finally {
          try {
            from.close();
            to.close();
          } catch (IOException e) {
            // closed
          }
          open.remove(from);
          open.remove(to);
        }
      });
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() {
      down();
    }
  }
}
