package dev.tilefarm.compositor;

import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.schemas.Topics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Everything the compositor is configured with.
 *
 * @param bootstrapServers the Kafka cluster, {@code host:port[,host:port...]}
 * @param topics the farm's topics; the application id (consumer group and transactional id prefix) is
 *     {@code topics.groupId("compositor")}
 * @param stateDir local state: the Kafka Streams state store (under the application id) and, in
 *     {@code assembly/}, the temporary files of images being assembled — it needs room for the largest image
 * @param progressInterval the least time between two PROGRESS events of one job
 * @param commitInterval how often the exactly-once transaction commits; events become visible to
 *     read-committed consumers only then, so this is the latency floor of every event
 * @param kafkaOverrides extra Kafka Streams, consumer ({@code consumer.}), producer ({@code producer.}),
 *     admin ({@code admin.}) or internal topic ({@code topic.}) settings, applied last. Unknown names are an
 *     error; the settings that have a field here, and the processing guarantee, cannot be overridden.
 * @param stallTimeout how long an unfinished job may go without a new tile before it ends FAILED as stuck
 *     (zero: never; a job's own time limit applies regardless)
 * @param sweepAge tile objects older than this are deleted by the janitor's sweep even if no terminal event
 *     for their job was seen (abandoned jobs); zero: no sweep. Must exceed the longest job.
 * @param retryRetention how long a FAILED or CANCELLED job's done tiles are kept for a retry (then deleted)
 */
public record CompositorConfig(String bootstrapServers, Topics topics, Path stateDir, Duration progressInterval,
    Duration commitInterval, Map<String, String> kafkaOverrides, Duration stallTimeout, Duration sweepAge,
    Duration retryRetention) {

  /** With the default retry retention. */
  public CompositorConfig(String bootstrapServers, Topics topics, Path stateDir, Duration progressInterval,
      Duration commitInterval, Map<String, String> kafkaOverrides, Duration stallTimeout, Duration sweepAge) {
    this(bootstrapServers, topics, stateDir, progressInterval, commitInterval, kafkaOverrides, stallTimeout, sweepAge,
        DEFAULT_RETRY_RETENTION);
  }

  // ---- Defaults, in one place. ----
  /** Often enough for a progress bar to move smoothly, rarely enough not to flood the job events topic. */
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofMillis(250);
  /**
   * Kafka Streams' exactly-once default is 100 ms too: short, because a job's COMPLETED event is invisible
   * to read-committed consumers until its transaction commits.
   */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
  /**
   * An hour without a single new tile: far beyond any healthy tile (workers renew their claim on long
   * tiles, and a dead worker's tile is redelivered within the share group's lock duration), so a job this
   * quiet has lost its tiles or every worker refuses them.
   */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofHours(1);
  /** A week and a day: beyond the longest time limit a job may ask for (a week). */
  public static final Duration DEFAULT_SWEEP_AGE = Duration.ofDays(8);
  /** Unfinished jobs are checked against their deadline and the stall timeout this often. */
  static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);
  /**
   * How long an ended job is remembered so that late duplicates of its results are ignored. Matches the
   * broker's default retention of the tile results topic: a duplicate older than that cannot be replayed.
   */
  static final Duration DEFAULT_ENDED_RETENTION = Duration.ofDays(7);
  /**
   * How long a FAILED or CANCELLED job's done tiles are kept for a retry ({@code compositor.retry-retention-ms}):
   * three days, well inside the sweep age, so the sweep never takes tiles a retry counts on.
   */
  public static final Duration DEFAULT_RETRY_RETENTION = Duration.ofDays(3);
  /** Ended jobs are looked for this often, or every {@code endedRetention} if shorter. */
  static final Duration PURGE_INTERVAL = Duration.ofHours(1);
  /** Tiles of one band fetched at once: enough to hide S3 latency, few enough to be polite to it. */
  static final int FETCH_THREADS = 8;
  /** How long closing waits for the stream threads to commit what they processed. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** {@code <java.io.tmpdir>/tilefarm-compositor}: fine for one instance per machine and for tests. */
  public static Path defaultStateDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "tilefarm-compositor");
  }

  /**
   * The producer's transaction timeout. Kafka Streams lowers it to 10 s under exactly-once, but the
   * transaction that carries a COMPLETED event may have been open while the image was assembled; a large
   * image takes longer than that, and a timed-out transaction would be retried forever. The cost of a long
   * timeout: if an instance dies mid-transaction, read-committed readers of the job events topic may wait
   * up to this long. The consumer's max.poll.interval.ms (5 minutes by default) bounds assembly time too.
   */
  static final String TRANSACTION_TIMEOUT_MS = String.valueOf(Duration.ofMinutes(5).toMillis());

  /**
   * Fail-over (README, "Fail-over"): a warm copy of every task's state on another instance, so that when one dies
   * the other takes its tasks over without restoring them from the changelog; with a single instance there is
   * no other to hold it, and it costs nothing.
   */
  static final String STANDBY_REPLICAS = "1";
  /**
   * A dead instance is noticed after this long without a heartbeat (the consumer default is 45 s); 6 s is the
   * least the broker allows by default ({@code group.min.session.timeout.ms}). The open transaction it leaves is
   * then aborted by the survivors ({@link dev.tilefarm.store.ZombieFencer}).
   */
  static final String SESSION_TIMEOUT_MS = "6000";
  /** A third of the session timeout or less, as Kafka advises, so that two lost heartbeats are survived. */
  static final String HEARTBEAT_INTERVAL_MS = "1500";
  /**
   * How soon tasks move back to an instance that came back empty, once its warm-up copies have caught up (the
   * least Kafka Streams allows; its default is 10 minutes, all that time with one instance doing all the work).
   */
  static final String PROBING_REBALANCE_INTERVAL_MS = "60000";

  /** Settings with a field of their own, or that the compositor's guarantees depend on. */
  private static final Set<String> RESERVED = Set.of(StreamsConfig.APPLICATION_ID_CONFIG,
      StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
      StreamsConfig.PROCESSING_GUARANTEE_CONFIG);

  public CompositorConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers is empty");
    }
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(stateDir, "stateDir");
    requirePositive("progressInterval", progressInterval);
    requirePositive("commitInterval", commitInterval);
    kafkaOverrides = Map.copyOf(Objects.requireNonNull(kafkaOverrides, "kafkaOverrides"));
    kafkaOverrides.keySet().forEach(CompositorConfig::checkOverride);
    Objects.requireNonNull(stallTimeout, "stallTimeout");
    Objects.requireNonNull(sweepAge, "sweepAge");
    if (stallTimeout.isNegative() || sweepAge.isNegative()) {
      throw new IllegalArgumentException("stallTimeout and sweepAge must not be negative");
    }
    Objects.requireNonNull(retryRetention, "retryRetention");
    if (retryRetention.isNegative()) {
      throw new IllegalArgumentException("retryRetention must not be negative");
    }
  }

  /** With the default stall timeout and sweep age. */
  public CompositorConfig(String bootstrapServers, Topics topics, Path stateDir, Duration progressInterval,
      Duration commitInterval, Map<String, String> kafkaOverrides) {
    this(bootstrapServers, topics, stateDir, progressInterval, commitInterval, kafkaOverrides, DEFAULT_STALL_TIMEOUT,
        DEFAULT_SWEEP_AGE);
  }

  /** The defaults above, the default topic prefix and no overrides. */
  public static CompositorConfig defaults(String bootstrapServers) {
    return new CompositorConfig(bootstrapServers, new Topics(Topics.DEFAULT_PREFIX), defaultStateDir(),
        DEFAULT_PROGRESS_INTERVAL, DEFAULT_COMMIT_INTERVAL, Map.of());
  }

  /** The application id, also the consumer group. */
  String applicationId() {
    return topics.groupId(CompositorTopology.ROLE);
  }

  /** Where images are assembled. */
  Path assemblyDir() {
    return stateDir.resolve("assembly");
  }

  Properties streamsProperties() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(commitInterval.toMillis()));
    // A stream thread commits between polls: waiting the default 100 ms for more input would hold the last
    // record's output (a job's COMPLETED, its tasks) back by that much when nothing else comes.
    p.put(StreamsConfig.POLL_MS_CONFIG, "10");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    // The broker's default.replication.factor for the changelog, rather than Streams' fixed 1.
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), TRANSACTION_TIMEOUT_MS);
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, STANDBY_REPLICAS);
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
    p.put(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, PROBING_REBALANCE_INTERVAL_MS);
    p.putAll(kafkaOverrides);
    return p;
  }

  /** Settings for the admin client that creates missing topics: the overrides that apply to an admin client. */
  Properties adminProperties() {
    return ClientProperties.ADMIN.ofStreamsApp(bootstrapServers, Map.of(), kafkaOverrides);
  }

  /** Settings for the janitor's plain consumer: the overrides that apply to a consumer (TLS, SASL, ...). */
  Properties janitorConsumerProperties() {
    return ClientProperties.CONSUMER.ofStreamsApp(bootstrapServers, Map.of(), kafkaOverrides);
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  private static void checkOverride(String key) {
    if (RESERVED.contains(key)) {
      throw new IllegalArgumentException("kafkaOverrides may not set '" + key + "': "
          + (key.equals(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)
              ? "the compositor's exactly-once guarantee depends on it"
              : "it has a field of its own in CompositorConfig"));
    }
    if (known(key)) {
      return;
    }
    throw new IllegalArgumentException("kafkaOverrides has an unknown setting '" + key + "': it is no Kafka Streams, "
        + "consumer, producer or admin setting, nor one of those under the prefixes " + PREFIXES.keySet());
  }

  private static final Map<String, Set<String>> PREFIXES = Map.of(
      StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configNames(),
      StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configNames(),
      StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configNames(),
      StreamsConfig.TOPIC_PREFIX, topicConfigNames());

  private static boolean known(String key) {
    for (Set<String> names : List.of(StreamsConfig.configDef().names(), ConsumerConfig.configNames(),
        ProducerConfig.configNames(), AdminClientConfig.configNames())) {
      if (names.contains(key)) {
        return true;
      }
    }
    for (Map.Entry<String, Set<String>> e : PREFIXES.entrySet()) {
      if (key.startsWith(e.getKey()) && e.getValue().contains(key.substring(e.getKey().length()))) {
        return true;
      }
    }
    return false;
  }

  /** TopicConfig lists topic settings only as constants. */
  private static Set<String> topicConfigNames() {
    Set<String> names = new HashSet<>();
    for (Field f : TopicConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_CONFIG")) {
        try {
          names.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("TopicConfig." + f.getName() + " is public", e);
        }
      }
    }
    return Set.copyOf(names);
  }
}
