package dev.tilefarm.cli;

import dev.tilefarm.embedded.EmbeddedKafka;
import dev.tilefarm.embedded.S3FaultProxy;
import dev.tilefarm.schemas.TopicAdmin;
import dev.tilefarm.store.BlobStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The cluster lab: the farm as the distributed system it is, every role a process of its own started with the
 * ordinary {@code tilefarm} commands. Three KRaft nodes ({@code tilefarm broker}), the S3 server ({@code tilefarm
 * s3}) behind the lab's {@link S3FaultProxy}, two splitters, two compositors, workers and an API.
 *
 * <p>Where the machine allows it (root and {@code ip netns}), each role runs on a host of its own: a network
 * namespace joined to a bridge by a veth pair, with its own address, so that cutting the host's link is a real
 * partition. Otherwise every role listens on loopback ports, and partitions cannot be made. {@link #close()} stops
 * every process and removes the namespaces and the bridge.
 */
final class Lab implements AutoCloseable {
  static final int BROKERS = 3;
  static final int BROKER_PORT = 9092;
  static final int CONTROLLER_PORT = 9093;
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);

  /** One host: a network namespace with its own address, or loopback. */
  record Host(String name, String address, String namespace, String link) {
    List<String> prefix() {
      return namespace == null ? List.of() : List.of("ip", "netns", "exec", namespace);
    }
  }

  /** A role process: its host, its command, and the process now running it (replaced on a restart). */
  static final class Role {
    final String name;
    final String kind;
    final Host host;
    List<String> args;
    Process process;
    int starts;
    /** While the nemesis has the role down (killed, not yet restarted): the supervisor leaves it alone. */
    volatile boolean held;

    Role(String name, String kind, Host host, List<String> args) {
      this.name = name;
      this.kind = kind;
      this.host = host;
      this.args = args;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    @Override
    public String toString() {
      return name + (process != null ? " (pid " + process.pid() + ")" : "");
    }
  }

  private final Path dir;
  private final boolean netns;
  private final String tag;
  private final long seed;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<Role> roles = new CopyOnWriteArrayList<>();
  private final List<String> links = new ArrayList<>();
  private final PrintStreamLog log;
  private Role s3Role;
  private int s3Port;
  private S3FaultProxy proxy;
  private String clusterId;
  private Settings clientSettings;
  private Settings directSettings;
  private int workerSerial;

  /** Where the lab says what it does. */
  interface PrintStreamLog {
    void say(String line);
  }

  private Lab(Path dir, boolean netns, long seed, PrintStreamLog log) {
    this.dir = dir;
    this.netns = netns;
    this.seed = seed;
    this.log = log;
    this.tag = Long.toString(ProcessHandle.current().pid() % 10000, 36);
  }

  /** Whether this machine can put hosts in network namespaces: root, and {@code ip netns} works. */
  static boolean namespacesAvailable() {
    if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/sbin/ip"))
        && !Files.isExecutable(Path.of("/sbin/ip"))) {
      return false;
    }
    try {
      Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts the whole lab: network, S3 and its proxy, the quorum, the topics, then every role. */
  static Lab start(Path dir, boolean netns, int splitters, int compositors, int workers, long seed,
      PrintStreamLog log) throws Exception {
    Lab lab = new Lab(dir, netns, seed, log);
    try {
      lab.startAll(splitters, compositors, workers);
      return lab;
    } catch (Exception | Error e) {
      lab.close();
      throw e;
    }
  }

  private void startAll(int splitters, int compositors, int workers) throws Exception {
    Files.createDirectories(dir);
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= BROKERS; i++) {
      names.add("b" + i);
    }
    for (int i = 1; i <= splitters; i++) {
      names.add("sp" + i);
    }
    for (int i = 1; i <= compositors; i++) {
      names.add("co" + i);
    }
    for (int i = 1; i <= workers + 4; i++) {
      names.add("w" + i); // room for workers started in place of killed ones
    }
    names.add("api");
    network(names);
    log.say("lab: " + (netns ? "hosts in network namespaces on bridge " + bridge() + " (" + bridgeAddress() + "/24)"
        : "every role on loopback ports (no network namespaces here: partitions are not possible)"));

    // S3 in this host's namespace, reached through the fault proxy on the bridge (or loopback).
    s3Port = freePort();
    Host local = new Host("s3", "127.0.0.1", null, null);
    s3Role = new Role("s3", "s3", local, List.of("s3", "--port", Integer.toString(s3Port), "--data-dir",
        dir.resolve("s3").toString()));
    roles.add(s3Role);
    launch(s3Role);
    awaitReady(List.of(s3Role));
    proxy = S3FaultProxy.start(URI.create("http://127.0.0.1:" + s3Port),
        new InetSocketAddress(InetAddress.getByName(netns ? bridgeAddress() : "127.0.0.1"), 0), seed);

    clusterId = EmbeddedKafka.newClusterId();
    List<Role> brokers = new ArrayList<>();
    List<String> voters = new ArrayList<>();
    Map<Integer, Integer> controllerPorts = new HashMap<>();
    Map<Integer, Integer> brokerPorts = new HashMap<>();
    for (int i = 1; i <= BROKERS; i++) {
      Host h = hosts.get("b" + i);
      controllerPorts.put(i, netns ? CONTROLLER_PORT : freePort());
      brokerPorts.put(i, netns ? BROKER_PORT : freePort());
      voters.add(i + "@" + h.address() + ":" + controllerPorts.get(i));
    }
    List<String> bootstrap = new ArrayList<>();
    for (int i = 1; i <= BROKERS; i++) {
      Host h = hosts.get("b" + i);
      bootstrap.add(h.address() + ":" + brokerPorts.get(i));
      Role b = new Role("broker-" + i, "broker", h, List.of("broker", "--node-id", Integer.toString(i), "--voters",
          String.join(",", voters), "--listen", h.address() + ":" + brokerPorts.get(i), "--cluster-id", clusterId,
          "--data-dir", dir.resolve("broker-" + i).toString()));
      brokers.add(b);
      roles.add(b);
      launch(b);
    }
    awaitReady(brokers);
    String bootstrapServers = String.join(",", bootstrap);
    clientSettings = settings(bootstrapServers, proxy.endpoint());
    directSettings = settings(bootstrapServers, URI.create("http://127.0.0.1:" + s3Port));
    try (Admin admin = admin()) {
      TopicAdmin.ensure(admin, clientSettings.topics(), clientSettings.layout());
    }
    try (BlobStore blobs = BlobStore.connect(directSettings.s3())) {
      blobs.ensureBucket(directSettings.bucket());
    }
    log.say("lab: quorum of " + BROKERS + " up on " + bootstrapServers + ", S3 on 127.0.0.1:" + s3Port
        + " behind the fault proxy " + proxy.endpoint());

    List<Role> others = new ArrayList<>();
    for (int i = 1; i <= splitters; i++) {
      others.add(role("splitter-" + i, "splitter", hosts.get("sp" + i), List.of("splitter"), "splitter-" + i));
    }
    for (int i = 1; i <= compositors; i++) {
      others.add(role("compositor-" + i, "compositor", hosts.get("co" + i), List.of("compositor"),
          "compositor-" + i));
    }
    for (int i = 0; i < workers; i++) {
      others.add(newWorkerRole());
    }
    others.add(role("api", "api", hosts.get("api"), List.of("api", "--http-port", "0"), "api"));
    for (Role r : others) {
      roles.add(r);
      launch(r);
    }
    awaitReady(others);
    log.say("lab: " + roles.size() + " processes running: " + roles);
    supervisor = Thread.ofPlatform().daemon().name("lab-supervisor").start(this::supervise);
  }

  /**
   * What a container runtime or Kubernetes does for a deployed role: a role process that ends by itself (not
   * killed by the nemesis) is started again. Each such end is recorded: {@link #unplannedExits()}.
   */
  private void supervise() {
    while (!closing) {
      for (Role r : roles) {
        synchronized (r) {
          if (closing || r.held || r.process == null || r.process.isAlive()) {
            continue;
          }
          String what = r.name + " exited by itself (status " + r.process.exitValue() + ", see "
              + logFiles.get(r) + ")";
          unplannedExits.add(what);
          log.say("lab: " + what + "; starting it again");
          try {
            launch(r);
          } catch (IOException e) {
            log.say("lab: starting " + r.name + " again: " + e.getMessage());
          }
        }
      }
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The role processes that ended by themselves, and were started again by the supervisor. */
  List<String> unplannedExits() {
    return List.copyOf(unplannedExits);
  }

  private final List<String> unplannedExits = new CopyOnWriteArrayList<>();
  private volatile boolean closing;
  private Thread supervisor;

  private Role role(String name, String kind, Host host, List<String> command, String dataName) {
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of("--bootstrap-server", clientSettings.bootstrapServers(), "--s3-endpoint",
        clientSettings.s3Endpoint().toString(), "--s3-access-key", Settings.EMBEDDED_ACCESS_KEY, "--s3-secret-key",
        Settings.EMBEDDED_SECRET_KEY, "--data-dir", dir.resolve(dataName).toString()));
    return new Role(name, kind, host, args);
  }

  private Role newWorkerRole() {
    int n = ++workerSerial;
    Host h = hosts.get("w" + Math.min(n, hosts.keySet().stream().filter(k -> k.startsWith("w")).count()));
    return role("worker-" + n, "worker", h, List.of("worker", "--threads", "1", "--id", "lab-worker-" + n),
        "worker-" + n);
  }

  /** Kafka client settings for this process: the quorum, and S3 through the proxy. */
  Settings clientSettings() {
    return clientSettings;
  }

  /** As {@link #clientSettings()}, with S3 reached directly: what the checker reads the truth with. */
  Settings directSettings() {
    return directSettings;
  }

  S3FaultProxy proxy() {
    return proxy;
  }

  boolean partitionsPossible() {
    return netns;
  }

  List<Role> roles(String kind) {
    return roles.stream().filter(r -> r.kind.equals(kind)).toList();
  }

  Role broker(int nodeId) {
    return roles.stream().filter(r -> r.name.equals("broker-" + nodeId)).findFirst().orElseThrow();
  }

  Admin admin() {
    Map<String, Object> p = new HashMap<>();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, clientSettings.bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    return Admin.create(p);
  }

  /** SIGKILL: no shutdown hook runs, nothing says goodbye. Returns once the process is gone. */
  void kill(Role r) throws InterruptedException {
    r.held = true;
    if (r.process != null) {
      signal(r, "CONT"); // a frozen process must die too
      r.process.destroyForcibly();
      r.process.waitFor();
    }
  }

  /** Starts the role again, on the same data directory, and waits until it is ready. */
  void restart(Role r) throws Exception {
    try {
      synchronized (r) {
        launch(r);
      }
    } finally {
      r.held = false;
    }
    awaitReady(List.of(r));
  }

  /** Starts the compositor again on a data directory it has never used: what a pod without a volume gets. */
  void restartFresh(Role r) throws Exception {
    List<String> args = new ArrayList<>(r.args);
    int i = args.indexOf("--data-dir");
    args.set(i + 1, dir.resolve(r.name + "-fresh-" + (r.starts + 1)).toString());
    r.args = args;
    restart(r);
  }

  /** A worker in place of a killed one: a new process with a new id. */
  Role replaceWorker(Role dead) throws Exception {
    roles.remove(dead);
    Role r = newWorkerRole();
    launch(r);
    roles.add(r);
    awaitReady(List.of(r));
    return r;
  }

  /** {@code kill -STOP} / {@code -CONT}. */
  void signal(Role r, String signal) throws InterruptedException {
    if (r.process == null || !r.process.isAlive()) {
      return;
    }
    try {
      Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(r.process.pid()))
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + " " + r.process.pid() + ": " + e.getMessage(), e);
    }
  }

  /** Whether the process is stopped by a signal (state T in /proc). */
  static boolean frozen(Role r) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(r.process.pid()), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Cuts the role's host off the network: its link goes down. */
  void cut(Role r) throws IOException, InterruptedException {
    requireNetns();
    run("ip", "link", "set", r.host.link(), "down");
  }

  /** Puts the role's host back on the network. */
  void heal(Role r) throws IOException, InterruptedException {
    requireNetns();
    run("ip", "link", "set", r.host.link(), "up");
  }

  /** Whether this process can open a connection to {@code address:port} within a second: how a cut is seen. */
  static boolean reachable(String address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void requireNetns() {
    if (!netns) {
      throw new IllegalStateException("partitions need hosts in network namespaces, which this lab has not");
    }
  }

  String bridge() {
    return "tfl" + tag + "br";
  }

  /**
   * The lab's own /24, 10.77.N.0 with N from this process's id, so that two labs on one machine (two CI jobs) do
   * not route each other's addresses.
   */
  private String subnet() {
    return "10.77." + (ProcessHandle.current().pid() % 250 + 1);
  }

  private String bridgeAddress() {
    return subnet() + ".1";
  }

  private void network(List<String> names) throws IOException, InterruptedException {
    if (!netns) {
      for (String n : names) {
        hosts.put(n, new Host(n, "127.0.0.1", null, null));
      }
      return;
    }
    run("ip", "link", "add", bridge(), "type", "bridge");
    links.add(bridge());
    run("ip", "addr", "add", bridgeAddress() + "/24", "dev", bridge());
    run("ip", "link", "set", bridge(), "up");
    int octet = 10;
    for (String n : names) {
      String ns = "tfl" + tag + "-" + n;
      String link = "tfl" + tag + n;
      String address = subnet() + "." + (++octet);
      run("ip", "netns", "add", ns);
      hosts.put(n, new Host(n, address, ns, link));
      run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
      links.add(link);
      run("ip", "link", "set", link, "master", bridge(), "up");
      run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
      run("ip", "-n", ns, "link", "set", "eth0", "up");
      run("ip", "-n", ns, "link", "set", "lo", "up");
      run("ip", "-n", ns, "route", "add", "default", "via", bridgeAddress());
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  private void launch(Role r) throws IOException {
    r.starts++;
    Path logFile = dir.resolve("logs").resolve(r.name + (r.starts > 1 ? "-" + r.starts : "") + ".log");
    Files.createDirectories(logFile.getParent());
    List<String> cmd = new ArrayList<>(r.host.prefix());
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(r.kind.equals("broker") ? "-Xmx320m" : "-Xmx192m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=" + (r.kind.equals("worker") ? 4 : 1), "-Xss512k",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        "dev.tilefarm.cli.Main"));
    cmd.addAll(r.args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
    // A killed or frozen worker's tile comes back after 15 s, the broker's shortest lock.
    pb.environment().put("TILEFARM_WORKER_LOCK_DURATION_MS", "15000");
    // The lab retries no job: a failed or cancelled job's done tiles, kept for a retry, go after 20 s (the farm's
    // default keeps them 3 days), within the checker's wait, which finds no tile object left behind.
    pb.environment().put("TILEFARM_COMPOSITOR_RETRY_RETENTION_MS", "20000");
    pb.environment().put("TILEFARM_LOG_DIR", dir.resolve("logs").resolve(r.name).toString());
    // A lab killed with SIGKILL leaves no role running: each ends itself once the lab's process has ended.
    pb.environment().put(ExitWithParent.VARIABLE, String.valueOf(ProcessHandle.current().pid()));
    pb.environment().remove("TILEFARM_BOOTSTRAP_SERVERS");
    pb.environment().remove("TILEFARM_CONFIG");
    r.process = pb.start();
    r.args = List.copyOf(r.args);
    logFiles.put(r, logFile);
  }

  private final Map<Role, Path> logFiles = new java.util.concurrent.ConcurrentHashMap<>();

  private void awaitReady(List<Role> starting) throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      List<Future<?>> waits = new ArrayList<>();
      for (Role r : starting) {
        waits.add(pool.submit(() -> {
          Path logFile = logFiles.get(r);
          while (true) {
            String text = Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.ISO_8859_1) : "";
            if (text.contains("ready: ") || text.contains("dashboard and API on")) {
              return null;
            }
            if (!r.process.isAlive() || System.nanoTime() > deadline) {
              throw new IllegalStateException(r.name + " did not start (see " + logFile + "):\n"
                  + tail(text, 3000));
            }
            Thread.sleep(100);
          }
        }));
      }
      for (Future<?> f : waits) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception x ? x : e;
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  private static String tail(String s, int n) {
    return s.length() <= n ? s : s.substring(s.length() - n);
  }

  private Settings settings(String bootstrap, URI s3) {
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", bootstrap);
    flags.put("s3.endpoint", s3.toString());
    flags.put("s3.access-key", Settings.EMBEDDED_ACCESS_KEY);
    flags.put("s3.secret-key", Settings.EMBEDDED_SECRET_KEY);
    flags.put("data.dir", dir.resolve("client").toString());
    return Settings.load(flags, Map.of(), null);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops every process (SIGTERM, then SIGKILL after 15 s), the proxy, and removes the network. */
  @Override
  public void close() {
    closing = true;
    if (supervisor != null) {
      supervisor.interrupt();
    }
    for (Role r : roles) {
      if (r.process != null && r.process.isAlive()) {
        try {
          signal(r, "CONT");
        } catch (Exception e) {
          // stopping anyway
        }
        r.process.destroy();
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    for (Role r : roles) {
      if (r.process == null) {
        continue;
      }
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!r.process.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
          r.process.destroyForcibly();
          r.process.waitFor();
        }
      } catch (InterruptedException e) {
        r.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    if (proxy != null) {
      proxy.close();
    }
    if (netns) {
      for (String link : links) {
        try {
          run("ip", "link", "del", link);
        } catch (Exception e) {
          // gone with its namespace already
        }
      }
      for (Host h : hosts.values()) {
        try {
          run("ip", "netns", "del", h.namespace());
        } catch (Exception e) {
          System.err.println("lab: removing namespace " + h.namespace() + ": " + e.getMessage());
        }
      }
    }
  }
}
