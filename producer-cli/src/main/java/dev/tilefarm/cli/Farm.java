package dev.tilefarm.cli;

import dev.tilefarm.api.HttpApi;
import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.clients.TopicSetup;
import dev.tilefarm.compositor.Compositor;
import dev.tilefarm.compositor.CompositorConfig;
import dev.tilefarm.embedded.EmbeddedKafka;
import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.splitter.SplitterConfig;
import dev.tilefarm.splitter.TileSplitter;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.worker.RenderWorker;
import dev.tilefarm.worker.WorkerConfig;
import dev.tilefarm.worker.WorkerProcess;
import dev.tilefarm.worker.WorkerRenderers;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The farm a command talks to: a configured cluster, a running {@code tilefarm up} on the same data
 * directory, or, when there is neither, an embedded one started in this process (a KRaft broker, an S3
 * server and every role) and stopped on close.
 */
final class Farm implements AutoCloseable {
  static final String RUNNING_FILE = "running.properties";
  /** How long each role of an embedded farm may take to join its group and start processing. */
  static final Duration ROLE_START_TIMEOUT = Duration.ofSeconds(60);
  /** A port of {@link #startEmbedded} that the broker or the S3 server picks among the free ones. */
  static final int ANY_PORT = 0;

  private final Settings settings;
  private final BlobStore blobs;
  private final boolean embedded;
  private final Deque<AutoCloseable> resources;
  private final long acceptingAt;
  /** Role name -> why it is not working (null while it is), for the roles this process runs. */
  private final Map<String, java.util.function.Supplier<String>> roles;

  private Farm(Settings settings, BlobStore blobs, boolean embedded, Deque<AutoCloseable> resources,
      long acceptingAt, Map<String, java.util.function.Supplier<String>> roles) {
    this.roles = roles;
    this.settings = settings;
    this.blobs = blobs;
    this.embedded = embedded;
    this.resources = resources;
    this.acceptingAt = acceptingAt;
  }

  /**
   * When (epoch ms) an embedded farm could first take a job: broker and S3 server up, bucket and topics there, so
   * a job published then is kept and made once the roles run; 0 for a farm that was connected to.
   */
  long acceptingAt() {
    return acceptingAt;
  }

  Settings settings() {
    return settings;
  }

  BlobStore blobs() {
    return blobs;
  }

  boolean embedded() {
    return embedded;
  }

  /** Connects to the configured cluster or a running {@code tilefarm up}, or starts an embedded farm. */
  static Farm open(Settings settings, int workers, Progress progress) throws Exception {
    if (settings.clusterConfigured()) {
      return connect(settings);
    }
    Settings running = runningUp(settings);
    if (running != null) {
      progress.note("using the farm of 'tilefarm up' at " + running.bootstrapServers());
      return connect(running);
    }
    return startEmbedded(settings, workers, true, ANY_PORT, ANY_PORT, progress);
  }

  static Farm connect(Settings settings) {
    BlobStore blobs = BlobStore.connect(settings.s3());
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    resources.push(blobs);
    if (settings.http().metricsPort() > 0) {
      // A role process in a cluster (a container, a pod) is scraped here; see metrics.port.
      try {
        resources.push(ProcessMetrics.serve(settings.http().host(), settings.http().metricsPort()));
      } catch (IOException e) {
        closeAll(resources);
        throw new Settings.ConfigException("serving /metrics on " + settings.http().host() + ":"
            + settings.http().metricsPort() + ": " + e.getMessage());
      }
    }
    return new Farm(settings, blobs, false, resources, 0, Map.of());
  }

  /** The settings of a {@code tilefarm up} still running on this data directory, or null. */
  static Settings runningUp(Settings settings) {
    Path file = settings.dataDir().resolve(RUNNING_FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
      long pid = Long.parseLong(p.getProperty("pid", "-1"));
      if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return settings.connectedTo(p.getProperty("bootstrap.servers"), URI.create(p.getProperty("s3.endpoint")),
            p.getProperty("s3.access-key"), p.getProperty("s3.secret-key"), p.getProperty("s3.bucket"));
      }
    } catch (IOException | RuntimeException e) {
      // A stale or torn file from a farm that died: ignore it and start our own.
    }
    return null;
  }

  /**
   * Starts a broker, an S3 server and (if {@code roles}) the splitter, {@code workers} workers and the
   * compositor, all in this process, with data under the data directory.
   */
  static Farm startEmbedded(Settings base, int workers, boolean roles, int kafkaPort, int s3Port, Progress progress)
      throws Exception {
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    try {
      Path dir = base.dataDir();
      Files.createDirectories(dir);
      resources.push(lock(dir));
      progress.note("starting the embedded farm in " + dir);
      long t0 = System.nanoTime();
      // The broker and the S3 server share nothing: start them side by side.
      java.util.concurrent.CompletableFuture<EmbeddedS3> s3Start = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> {
            try {
              return EmbeddedS3.start(dir.resolve("s3"), s3Port, Settings.EMBEDDED_ACCESS_KEY,
                  Settings.EMBEDDED_SECRET_KEY, base.bucket());
            } catch (Exception e) {
              throw new java.util.concurrent.CompletionException(e);
            }
          });
      EmbeddedKafka kafka;
      try {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), kafkaPort);
      } catch (Exception | Error e) {
        s3Start.thenAccept(EmbeddedS3::close);
        throw e;
      }
      resources.push(kafka);
      long tKafka = System.nanoTime();
      EmbeddedS3 s3;
      try {
        s3 = s3Start.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof Exception x ? x : e;
      }
      resources.push(s3);
      long tS3 = System.nanoTime();
      Settings settings = base.connectedTo(kafka.bootstrapServers(), s3.endpoint(), s3.accessKey(), s3.secretKey(),
          s3.bucket());
      BlobStore blobs = BlobStore.connect(settings.s3());
      resources.push(blobs);
      blobs.ensureBucket(settings.bucket());
      TopicSetup.ensure(ClientProperties.ADMIN.of(settings.bootstrapServers(), settings.roles().kafkaClient()),
          settings.topics(), settings.layout());
      long tTopics = System.nanoTime();
      long acceptingAt = System.currentTimeMillis();
      Map<String, java.util.function.Supplier<String>> health = new java.util.concurrent.ConcurrentSkipListMap<>();
      if (roles) {
        startRoles(settings, blobs, workers, resources, health);
      }
      long tRoles = System.nanoTime();
      org.slf4j.LoggerFactory.getLogger(Farm.class).info(
          "embedded farm ready in {} ms: broker {} ms, S3 {} ms, bucket and topics {} ms, roles {} ms",
          millis(tRoles - t0), millis(tKafka - t0), millis(tS3 - tKafka), millis(tTopics - tS3),
          millis(tRoles - tTopics));
      return new Farm(settings, blobs, true, resources, acceptingAt, health);
    } catch (Exception | Error e) {
      closeAll(resources);
      throw e;
    }
  }

  private static long millis(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }

  private static void startRoles(Settings settings, BlobStore blobs, int workers, Deque<AutoCloseable> resources,
      Map<String, java.util.function.Supplier<String>> health) throws Exception {
    Path state = settings.dataDir().resolve("state");
    // Created here, once: Kafka Streams' own mkdirs fails when two apps race to create the same base dir.
    Files.createDirectories(state);
    int threads = workers == 0 ? 0 : Math.max(1, settings.workerThreads() / workers);
    // The roles start independently (each joins its own group), so start them side by side: on a cold
    // JVM most of their start-up is class loading, which overlaps well.
    java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newCachedThreadPool();
    try {
      var splitter = starter.submit(() -> startSplitter(settings, blobs, state));
      var compositor = starter.submit(() -> startCompositor(settings, blobs, state));
      List<java.util.concurrent.Future<RenderWorker>> started = new java.util.ArrayList<>();
      for (int i = 0; i < workers; i++) {
        String id = "worker-" + ProcessHandle.current().pid() + "-" + i;
        started.add(starter.submit(() -> startWorker(settings, blobs, id, threads)));
      }
      Exception failure = null;
      List<java.util.concurrent.Future<? extends AutoCloseable>> all = new java.util.ArrayList<>();
      all.add(splitter);
      all.add(compositor);
      all.addAll(started);
      List<AutoCloseable> running = new java.util.ArrayList<>();
      // Stopped side by side too: each waits on its own clients, and one after another they added seconds to
      // every command's end (a --timeout or Ctrl-C is to end the command within a second or two).
      resources.push(() -> closeInParallel(running));
      for (var f : all) {
        try {
          running.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      splitter.get().awaitRunning(ROLE_START_TIMEOUT);
      compositor.get().awaitRunning(ROLE_START_TIMEOUT);
      health.put("tile-splitter", splitter.get()::failure);
      health.put("compositor", compositor.get()::failure);
      for (int i = 0; i < started.size(); i++) {
        health.put("render-worker " + i, started.get(i).get()::failure);
      }
      if (settings.roles().triggerRules() != null) {
        var trigger = startTrigger(settings, blobs);
        resources.push(trigger);
        health.put("upload-trigger", trigger::failure);
      }
    } finally {
      starter.shutdown();
    }
  }

  /** The splitter role, with its Kafka Streams state under {@code state}. */
  static TileSplitter startSplitter(Settings settings, BlobStore blobs, Path state) throws InterruptedException {
    return TileSplitter.start(new SplitterConfig(settings.bootstrapServers(), settings.topics(), settings.layout(),
        state, settings.limits(), SplitterConfig.DEFAULT_COMMIT_INTERVAL, settings.roles().kafkaClient()), blobs);
  }

  /** The compositor role, with its Kafka Streams state and assembly files under {@code state}. */
  static Compositor startCompositor(Settings settings, BlobStore blobs, Path state) {
    Settings.Roles roles = settings.roles();
    return Compositor.start(new CompositorConfig(settings.bootstrapServers(), settings.topics(), state,
        CompositorConfig.DEFAULT_PROGRESS_INTERVAL, Settings.COMPOSITOR_COMMIT_INTERVAL, roles.kafkaClient(),
        roles.stallTimeout(), roles.sweepAge(), roles.retryRetention()), blobs);
  }

  /** The upload trigger, with the rules of {@code triggers.rules}. */
  static dev.tilefarm.trigger.UploadTrigger startTrigger(Settings settings, BlobStore blobs) {
    Path rules = settings.roles().triggerRules();
    if (rules == null) {
      throw new Settings.ConfigException("triggers.rules is not set: give the JSON file of upload rules");
    }
    byte[] json;
    try {
      json = java.nio.file.Files.readAllBytes(rules);
    } catch (java.io.IOException e) {
      throw new Settings.ConfigException("triggers.rules: cannot read " + rules + ": " + e.getMessage());
    }
    try {
      return dev.tilefarm.trigger.UploadTrigger.start(settings.bootstrapServers(), settings.topics(),
          settings.partitions(), json, settings.roles().kafkaClient(), blobs);
    } catch (IllegalArgumentException e) {
      throw new Settings.ConfigException("triggers.rules " + rules + ": " + e.getMessage());
    }
  }

  /** One render worker named {@code id}, making {@code threads} tiles at once. */
  static RenderWorker startWorker(Settings settings, BlobStore blobs, String id, int threads)
      throws InterruptedException {
    return startWorkerPart(settings, () -> RenderWorker.start(workerConfig(settings, id, threads), blobs));
  }

  /**
   * Starts a worker process named {@code id} (see {@link WorkerProcess}), whose workers have {@code threads}
   * render threads each; the caller starts them on it.
   */
  static WorkerProcess startWorkerProcess(Settings settings, BlobStore blobs, String id, int threads)
      throws InterruptedException {
    return startWorkerPart(settings, () -> WorkerProcess.start(workerConfig(settings, id, threads), blobs));
  }

  /** How a worker or worker process starts. */
  private interface WorkerStart<T> {
    T start() throws InterruptedException;
  }

  /** Starts it with the settings' cascade folder; a renderer asked for that this machine lacks is a config error. */
  private static <T> T startWorkerPart(Settings settings, WorkerStart<T> start) throws InterruptedException {
    dev.tilefarm.worker.ops.TileProcessor.cascadeDir(settings.roles().cascadeDir());
    try {
      return start.start();
    } catch (WorkerRenderers.NotAvailableException e) {
      throw new Settings.ConfigException(e.getMessage());
    }
  }

  private static WorkerConfig workerConfig(Settings settings, String id, int threads) {
    Settings.Roles roles = settings.roles();
    return new WorkerConfig(settings.bootstrapServers(), settings.topics(), settings.layout(), id, threads,
        roles.maxAttempts(), WorkerConfig.DEFAULT_INPUT_CACHE_BYTES, roles.kafkaClient(), roles.lockDuration(),
        roles.shutdownGrace(), WorkerConfig.DEFAULT_TRANSIENT_RETRY, roles.blocklistAfter(), roles.tileLimits());
  }

  /**
   * Starts the HTTP API and dashboard on this farm; its {@code /metrics} shows every role running in this
   * process. The caller closes it, before the farm.
   */
  HttpApi startApi() throws IOException, InterruptedException {
    return HttpApi.start(settings.api(), blobs, ProcessMetrics.registry(), this::down);
  }

  /** The roles this process runs that are not working, by name, with why; empty when all are. */
  Map<String, String> down() {
    Map<String, String> down = new java.util.TreeMap<>();
    roles.forEach((name, failure) -> {
      String why = failure.get();
      if (why != null) {
        down.put(name, why);
      }
    });
    return down;
  }

  /** Records this farm's addresses so that other commands on the same data directory use it. */
  void advertise() throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
    p.setProperty("bootstrap.servers", settings.bootstrapServers());
    p.setProperty("s3.endpoint", settings.s3Endpoint().toString());
    p.setProperty("s3.access-key", settings.s3AccessKey());
    p.setProperty("s3.secret-key", settings.s3SecretKey());
    p.setProperty("s3.bucket", settings.bucket());
    Path file = settings.dataDir().resolve(RUNNING_FILE);
    Path tmp = settings.dataDir().resolve(RUNNING_FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      p.store(w, "a running 'tilefarm up'");
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    resources.push(() -> Files.deleteIfExists(file));
  }

  private static AutoCloseable lock(Path dir) throws IOException {
    FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new Settings.ConfigException("another tilefarm process is using " + dir
          + "; wait for it, run 'tilefarm up' to share one farm, or give --data-dir");
    }
    FileLock held = lock;
    return () -> {
      held.release();
      channel.close();
    };
  }

  @Override
  public void close() {
    closeAll(resources);
  }

  private static void closeInParallel(List<AutoCloseable> roles) {
    List<Thread> closing = new java.util.ArrayList<>();
    for (AutoCloseable role : roles) {
      Thread t = new Thread(() -> {
        try {
          role.close();
        } catch (Exception e) {
          System.err.println("tilefarm: while stopping: " + e);
        }
      }, "stopping-" + closing.size());
      t.start();
      closing.add(t);
    }
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        System.err.println("tilefarm: while stopping: " + e);
      }
    }
  }
}
