package dev.tilefarm.cli;

import dev.tilefarm.api.ApiConfig;
import dev.tilefarm.compositor.CompositorConfig;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.JobLimits;
import dev.tilefarm.store.S3Settings;
import dev.tilefarm.worker.TileLimits;
import dev.tilefarm.worker.WorkerConfig;
import dev.tilefarm.worker.WorkerRenderers;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The one place configuration is read. Every setting has a key (as in a {@code tilefarm.properties}
 * file), an environment variable ({@code TILEFARM_} + the key upper-cased with dots and dashes as
 * underscores) and a default, all listed in {@link #KEYS}. Precedence: command-line flag, then
 * environment, then the config file, then the default. Unknown keys in a file are an error.
 */
record Settings(
    String bootstrapServers,
    URI s3Endpoint,
    String s3Region,
    String s3AccessKey,
    String s3SecretKey,
    boolean s3PathStyle,
    String bucket,
    String topicPrefix,
    int partitions,
    Path dataDir,
    int workerThreads,
    JobLimits limits,
    Http http,
    Roles roles) {

  /** Every key with its default ("" = unset) and meaning; README.md documents the same list. */
  /** Where Debian's opencv-data package puts OpenCV's cascades. */
  static final String DEFAULT_CASCADE_DIR = "/usr/share/opencv4/haarcascades";
  /** Partitions per topic on a cluster: room for several splitter and compositor instances. */
  static final int CLUSTER_PARTITIONS = 6;
  /**
   * Partitions per topic on the embedded broker, where one splitter and one compositor take every partition
   * anyway: each partition is a Streams task with its own state stores to open at start-up (about 0.3 s of a
   * cold start per extra partition, BENCHMARKS.md), and share-group workers need no partitions to share tiles.
   */
  static final int EMBEDDED_PARTITIONS = 1;
  static final Map<String, String[]> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("bootstrap.servers", new String[] {"", "Kafka bootstrap servers; unset = run an embedded broker"});
    KEYS.put("s3.endpoint", new String[] {"", "S3 endpoint URL (S3Proxy, MinIO); unset with a cluster = AWS"});
    KEYS.put("s3.region", new String[] {"us-east-1", "S3 region"});
    KEYS.put("s3.access-key", new String[] {"", "S3 access key; unset = the AWS default credential chain"});
    KEYS.put("s3.secret-key", new String[] {"", "S3 secret key"});
    KEYS.put("s3.path-style", new String[] {"true", "path-style S3 addressing (needed by most S3-compatible servers)"});
    KEYS.put("s3.bucket", new String[] {"tilefarm", "the farm's bucket: tiles, uploads, default outputs"});
    KEYS.put("topic.prefix", new String[] {Topics.DEFAULT_PREFIX, "prefix of every topic and group name"});
    KEYS.put("topic.partitions", new String[] {"", "partitions of topics the farm creates; unset = "
        + CLUSTER_PARTITIONS + " on a cluster, " + EMBEDDED_PARTITIONS + " for the embedded broker"});
    KEYS.put("data.dir", new String[] {"~/.tilefarm", "embedded broker, S3 and state data"});
    KEYS.put("worker.threads", new String[] {String.valueOf(Runtime.getRuntime().availableProcessors()),
        "tiles a worker renders at once"});
    KEYS.put("limits.max-pixels", new String[] {String.valueOf(JobLimits.DEFAULTS.maxPixels()),
        "largest image a job may produce or read"});
    KEYS.put("limits.max-tiles", new String[] {String.valueOf(JobLimits.DEFAULTS.maxTiles()),
        "most tiles per job"});
    KEYS.put("limits.default-tile-size", new String[] {String.valueOf(JobLimits.DEFAULTS.defaultTileSize()),
        "tile side when a job gives none"});
    KEYS.put("http.host", new String[] {ApiConfig.DEFAULT_HOST,
        "address the HTTP API and dashboard listen on (0.0.0.0 = every interface)"});
    KEYS.put("http.port", new String[] {String.valueOf(ApiConfig.DEFAULT_PORT),
        "port of the HTTP API and dashboard (0 = any free port)"});
    KEYS.put("http.token", new String[] {"", "bearer token the HTTP API requires; unset = no authentication"});
    KEYS.put("http.allowed-hosts", new String[] {"", "with no http.token, comma-separated host names (beside its "
        + "own address) that requests to the HTTP API may name in their Host header, e.g. behind a proxy"});
    KEYS.put("metrics.port", new String[] {"0",
        "port of /metrics (on http.host) in a process connected to a cluster, e.g. a role's container (0 = off)"});
    KEYS.put("limits.output-locations", new String[] {"",
        "comma-separated bucket or bucket/prefix where job outputs may go; unset = anywhere"});
    KEYS.put("limits.input-buckets", new String[] {"",
        "comma-separated buckets jobs may read (the farm's own bucket is always added); unset = any"});
    KEYS.put("kafka.config", new String[] {"",
        "a Kafka client properties file (TLS, SASL: security.protocol, ssl.*, sasl.*) for every role and client"});
    KEYS.put("worker.lock-duration-ms", new String[] {String.valueOf(WorkerConfig.DEFAULT_LOCK_DURATION.toMillis()),
        "how long a silent worker keeps a tile before it is redelivered (the broker allows 15000-60000)"});
    KEYS.put("worker.max-attempts", new String[] {String.valueOf(WorkerConfig.DEFAULT_MAX_ATTEMPTS),
        "deliveries of a tile before a failure that may pass becomes final (dead letter, job FAILED)"});
    KEYS.put("worker.shutdown-grace-ms", new String[] {String.valueOf(WorkerConfig.DEFAULT_SHUTDOWN_GRACE.toMillis()),
        "on SIGTERM, how long a worker finishes its tiles before releasing them"});
    KEYS.put("worker.blocklist-after", new String[] {String.valueOf(WorkerConfig.DEFAULT_BLOCKLIST_AFTER),
        "failures of one job on a worker after which it stops taking that job's tiles"});
    KEYS.put("worker.tile-cpu-seconds", new String[] {String.valueOf(TileLimits.DEFAULT_CPU_SECONDS),
        "CPU seconds one POV-Ray or Blender tile may use (all threads); over it the job FAILS"});
    KEYS.put("worker.tile-memory-mb", new String[] {String.valueOf(TileLimits.DEFAULT_MEMORY_BYTES >> 20),
        "memory (MiB) one POV-Ray or Blender tile may allocate; over it the job FAILS"});
    KEYS.put("worker.tile-time-seconds", new String[] {String.valueOf(TileLimits.DEFAULT_TIME.toSeconds()),
        "how long one POV-Ray or Blender tile may run when its job sets no timeLimit; over it the job FAILS"});
    KEYS.put("worker.max-texture-pixels", new String[] {String.valueOf(TileLimits.DEFAULT_MAX_TEXTURE_PIXELS),
        "most pixels an image a scene reads (texture, glTF image, OBJ map, HDR map) may declare"});
    KEYS.put("worker.renderers", new String[] {"", "comma-separated external renderers a worker takes tiles of ("
        + WorkerRenderers.VALID + "); builtin, mandelbrot, sleep and process jobs always come on the shared lane; "
        + "unset = every one installed"});
    KEYS.put("worker.cascade-dir", new String[] {DEFAULT_CASCADE_DIR,
        "folder of OpenCV's Haar cascade files for detect-faces (Debian's opencv-data package installs them here)"});
    KEYS.put("triggers.rules", new String[] {"",
        "a JSON file of upload rules (bucket, prefix, ops, output) for the upload trigger; unset = no trigger"});
    KEYS.put("compositor.stall-timeout-ms", new String[] {
        String.valueOf(CompositorConfig.DEFAULT_STALL_TIMEOUT.toMillis()),
        "an unfinished job with no new tile for this long ends FAILED (0 = never)"});
    KEYS.put("compositor.sweep-age-ms", new String[] {String.valueOf(CompositorConfig.DEFAULT_SWEEP_AGE.toMillis()),
        "tile objects older than this are swept away as abandoned (0 = no sweep)"});
    KEYS.put("compositor.retry-retention-ms", new String[] {
        String.valueOf(CompositorConfig.DEFAULT_RETRY_RETENTION.toMillis()),
        "a FAILED or CANCELLED job's done tiles are kept this long for `tilefarm retry` (then deleted)"});
  }

  /**
   * The fault-handling settings of the roles, and the Kafka client properties (TLS, SASL) every client
   * gets, read from the kafka.config file.
   */
  record Roles(Map<String, String> kafkaClient, Duration lockDuration, int maxAttempts, Duration shutdownGrace,
      int blocklistAfter, Duration stallTimeout, Duration sweepAge, Path cascadeDir, Path triggerRules,
      TileLimits tileLimits, Duration retryRetention) {
    Roles {
      kafkaClient = Map.copyOf(kafkaClient);
    }

    Roles(Map<String, String> kafkaClient, Duration lockDuration, int maxAttempts, Duration shutdownGrace,
        int blocklistAfter, Duration stallTimeout, Duration sweepAge, Path cascadeDir, Path triggerRules,
        TileLimits tileLimits) {
      this(kafkaClient, lockDuration, maxAttempts, shutdownGrace, blocklistAfter, stallTimeout, sweepAge, cascadeDir,
          triggerRules, tileLimits, CompositorConfig.DEFAULT_RETRY_RETENTION);
    }

    Roles(Map<String, String> kafkaClient, Duration lockDuration, int maxAttempts, Duration shutdownGrace,
        int blocklistAfter, Duration stallTimeout, Duration sweepAge, Path cascadeDir, Path triggerRules) {
      this(kafkaClient, lockDuration, maxAttempts, shutdownGrace, blocklistAfter, stallTimeout, sweepAge, cascadeDir,
          triggerRules, TileLimits.DEFAULTS);
    }

    Roles(Map<String, String> kafkaClient, Duration lockDuration, int maxAttempts, Duration shutdownGrace,
        int blocklistAfter, Duration stallTimeout, Duration sweepAge) {
      this(kafkaClient, lockDuration, maxAttempts, shutdownGrace, blocklistAfter, stallTimeout, sweepAge,
          Path.of(DEFAULT_CASCADE_DIR), null);
    }

    @Override
    public String toString() {
      // Never print client secrets (sasl.jaas.config, ssl passwords).
      return "Roles[kafkaClient=" + kafkaClient.keySet() + ", lockDuration=" + lockDuration + ", maxAttempts="
          + maxAttempts + ", shutdownGrace=" + shutdownGrace + ", blocklistAfter=" + blocklistAfter
          + ", stallTimeout=" + stallTimeout + ", sweepAge=" + sweepAge + "]";
    }
  }

  /** Where the HTTP API listens, its token (null = none), and where other role processes serve /metrics. */
  record Http(String host, int port, String token, int metricsPort, java.util.List<String> allowedHosts) {
    @Override
    public String toString() {
      // Never print the token.
      return "Http[host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "set")
          + ", metricsPort=" + metricsPort + ", allowedHosts=" + allowedHosts + "]";
    }
  }

  /** The same settings with the HTTP API on another port. */
  Settings withHttpPort(int port) {
    return new Settings(bootstrapServers, s3Endpoint, s3Region, s3AccessKey, s3SecretKey, s3PathStyle, bucket,
        topicPrefix, partitions, dataDir, workerThreads, limits, new Http(http.host(), port, http.token(),
        http.metricsPort(), http.allowedHosts()), roles);
  }

  /** The same settings for workers that take the external renderers {@code chosen} (worker --renderers). */
  Settings withWorkerRenderers(WorkerRenderers chosen) {
    Roles r = roles;
    return new Settings(bootstrapServers, s3Endpoint, s3Region, s3AccessKey, s3SecretKey, s3PathStyle, bucket,
        topicPrefix, partitions, dataDir, workerThreads, limits, http, new Roles(r.kafkaClient(), r.lockDuration(),
        r.maxAttempts(), r.shutdownGrace(), r.blocklistAfter(), r.stallTimeout(), r.sweepAge(), r.cascadeDir(),
        r.triggerRules(), r.tileLimits().withRenderers(chosen), r.retryRetention()));
  }

  /** The HTTP API role's configuration. */
  ApiConfig api() {
    return new ApiConfig(bootstrapServers, topics(), layout(), http.host(), http.port(), http.token(),
        ApiConfig.DEFAULT_PRESIGN_TTL, ApiConfig.DEFAULT_MAX_JOBS, roles.kafkaClient(), http.allowedHosts(),
        limits);
  }

  /**
   * How often the compositor's exactly-once transaction commits in every farm this command runs: as often as
   * the splitter's ({@code SplitterConfig.DEFAULT_COMMIT_INTERVAL}), half the compositor's library default,
   * because a job's COMPLETED event is invisible to its client until the commit.
   */
  static final Duration COMPOSITOR_COMMIT_INTERVAL = Duration.ofMillis(50);

  /** Embedded-mode credentials: the server is on loopback only, so fixed keys are fine and printable. */
  static final String EMBEDDED_ACCESS_KEY = "tilefarm";
  static final String EMBEDDED_SECRET_KEY = "tilefarm-secret";

  boolean clusterConfigured() {
    return bootstrapServers != null;
  }

  Topics topics() {
    return new Topics(topicPrefix);
  }

  TopicLayout layout() {
    return new TopicLayout(partitions, Map.of(), (short) -1);
  }

  S3Settings s3() {
    return new S3Settings(s3Endpoint, s3Region, s3AccessKey, s3SecretKey, s3PathStyle, bucket);
  }

  /** The same settings pointed at a running cluster and S3 server. */
  Settings connectedTo(String bootstrap, URI endpoint, String accessKey, String secretKey, String bucketName) {
    return new Settings(bootstrap, endpoint, s3Region, accessKey, secretKey, true, bucketName, topicPrefix,
        partitions, dataDir, workerThreads, limits, http, roles);
  }

  /**
   * Loads settings.
   *
   * @param flags values given on the command line, by key
   * @param env the process environment
   * @param file a config file, or null for {@code $TILEFARM_CONFIG} if set
   */
  static Settings load(Map<String, String> flags, Map<String, String> env, Path file) {
    Map<String, String> values = new TreeMap<>();
    Path config = file != null ? file : env.containsKey("TILEFARM_CONFIG") ? Path.of(env.get("TILEFARM_CONFIG")) : null;
    if (config != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(config)) {
        p.load(r);
      } catch (IOException e) {
        throw new ConfigException("config file " + config + ": " + e.getMessage());
      }
      for (String k : p.stringPropertyNames()) {
        if (!KEYS.containsKey(k)) {
          throw new ConfigException("config file " + config + ": unknown key '" + k + "' (valid keys: "
              + String.join(", ", KEYS.keySet()) + ")");
        }
        values.put(k, p.getProperty(k).trim());
      }
    }
    for (String k : KEYS.keySet()) {
      String v = env.get(envName(k));
      if (v != null) {
        values.put(k, v.trim());
      }
    }
    flags.forEach((k, v) -> {
      if (!KEYS.containsKey(k)) {
        throw new IllegalArgumentException("no setting " + k);
      }
      if (v != null) {
        values.put(k, v);
      }
    });
    Values reader = new Values(values);
    return new Settings(
        reader.string("bootstrap.servers"),
        reader.uri("s3.endpoint"),
        reader.string("s3.region"),
        reader.string("s3.access-key"),
        reader.string("s3.secret-key"),
        reader.bool("s3.path-style"),
        reader.string("s3.bucket"),
        reader.raw("topic.prefix"),
        reader.raw("topic.partitions").isEmpty()
            ? (reader.string("bootstrap.servers") == null ? EMBEDDED_PARTITIONS : CLUSTER_PARTITIONS)
            : reader.integer("topic.partitions", 1, 10_000),
        reader.path("data.dir", env),
        reader.integer("worker.threads", 1, 1024),
        new JobLimits(reader.longValue("limits.max-pixels", 1, Long.MAX_VALUE),
            reader.integer("limits.max-tiles", 1, 10_000_000),
            reader.integer("limits.default-tile-size", 8, 4096))
            .confinedTo(reader.list("limits.output-locations"), inputBuckets(reader)),
        new Http(reader.raw("http.host"), reader.integer("http.port", 0, 65_535), reader.string("http.token"),
            reader.integer("metrics.port", 0, 65_535), reader.list("http.allowed-hosts")),
        new Roles(kafkaClient(reader.string("kafka.config")),
            Duration.ofMillis(reader.longValue("worker.lock-duration-ms", 1000, 3_600_000)),
            reader.integer("worker.max-attempts", 1, WorkerConfig.DELIVERY_LIMIT - 1),
            Duration.ofMillis(reader.longValue("worker.shutdown-grace-ms", 0, 3_600_000)),
            reader.integer("worker.blocklist-after", 1, 1000),
            Duration.ofMillis(reader.longValue("compositor.stall-timeout-ms", 0, Long.MAX_VALUE / 2)),
            Duration.ofMillis(reader.longValue("compositor.sweep-age-ms", 0, Long.MAX_VALUE / 2)),
            Path.of(reader.raw("worker.cascade-dir")),
            reader.string("triggers.rules") == null ? null : Path.of(reader.string("triggers.rules")),
            new TileLimits(reader.longValue("worker.tile-cpu-seconds", 1, 31_536_000),
                reader.longValue("worker.tile-memory-mb", 16, 1L << 30) << 20,
                Duration.ofSeconds(reader.longValue("worker.tile-time-seconds", 1, 31_536_000)),
                reader.longValue("limits.max-pixels", 1, Long.MAX_VALUE),
                reader.longValue("worker.max-texture-pixels", 1, Long.MAX_VALUE),
                inputBuckets(reader), reader.renderers("worker.renderers")),
            Duration.ofMillis(reader.longValue("compositor.retry-retention-ms", 0, Long.MAX_VALUE / 2))));
  }

  /**
   * {@code limits.input-buckets} with the farm's own bucket added when the list is set: uploads (the CLI's
   * scenes and inputs, the API's images) live there, so a farm that confines its inputs can still read them.
   */
  private static java.util.List<String> inputBuckets(Values reader) {
    java.util.List<String> buckets = reader.list("limits.input-buckets");
    String own = reader.raw("s3.bucket");
    if (buckets.isEmpty() || buckets.contains(own)) {
      return buckets;
    }
    java.util.List<String> withOwn = new java.util.ArrayList<>(buckets);
    withOwn.add(own);
    return java.util.List.copyOf(withOwn);
  }

  /** The Kafka client properties in {@code file} (null: none); the standard Kafka client format. */
  private static Map<String, String> kafkaClient(String file) {
    if (file == null) {
      return Map.of();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(file))) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("kafka.config " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      out.put(k, p.getProperty(k).trim());
    }
    return out;
  }

  static String envName(String key) {
    return "TILEFARM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** A setting that cannot be used as given. */
  static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConfigException(String message) {
      super(message);
    }
  }

  private static final class Values {
    private final Map<String, String> values;

    Values(Map<String, String> values) {
      this.values = values;
    }

    String raw(String key) {
      return values.getOrDefault(key, KEYS.get(key)[0]);
    }

    String string(String key) {
      String v = raw(key);
      return v.isEmpty() ? null : v;
    }

    java.util.List<String> list(String key) {
      String v = raw(key).trim();
      return v.isEmpty() ? java.util.List.of() : java.util.Arrays.stream(v.split(",")).map(String::trim)
          .filter(x -> !x.isEmpty()).toList();
    }

    /** The external renderers {@code key} names (see {@link WorkerRenderers#parse}); unset: every one installed. */
    WorkerRenderers renderers(String key) {
      String v = raw(key).trim();
      if (v.isEmpty()) {
        return WorkerRenderers.INSTALLED;
      }
      try {
        return WorkerRenderers.parse(v);
      } catch (IllegalArgumentException e) {
        throw bad(key, v, e.getMessage());
      }
    }

    boolean bool(String key) {
      String v = raw(key).toLowerCase(Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) {
        throw bad(key, v, "must be true or false");
      }
      return v.equals("true");
    }

    int integer(String key, int min, int max) {
      return (int) longValue(key, min, max);
    }

    long longValue(String key, long min, long max) {
      String v = raw(key);
      try {
        long n = Long.parseLong(v);
        if (n < min || n > max) {
          throw bad(key, v, "must be from " + min + " to " + max);
        }
        return n;
      } catch (NumberFormatException e) {
        throw bad(key, v, "must be an integer");
      }
    }

    URI uri(String key) {
      String v = string(key);
      if (v == null) {
        return null;
      }
      try {
        URI u = URI.create(v);
        if (u.getScheme() == null || u.getHost() == null) {
          throw bad(key, v, "must be a URL like http://host:9000");
        }
        return u;
      } catch (IllegalArgumentException e) {
        throw bad(key, v, "must be a URL like http://host:9000");
      }
    }

    Path path(String key, Map<String, String> env) {
      String v = raw(key);
      if (v.equals("~") || v.startsWith("~/")) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        v = home + v.substring(1);
      }
      return Path.of(v).toAbsolutePath().normalize();
    }

    private ConfigException bad(String key, String value, String why) {
      return new ConfigException("setting " + key + " (" + envName(key) + ") = '" + value + "': " + why);
    }
  }
}
