package dev.tilefarm.worker;

import dev.tilefarm.schemas.Require;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a render worker needs to run.
 *
 * @param bootstrapServers the Kafka cluster
 * @param topics the farm's topics
 * @param layout partitions and replication of topics created at start-up
 * @param workerId this worker's name in tile results and logs
 * @param threads tiles rendered at once (default: one per core)
 * @param maxAttempts deliveries of one tile after which a failure that might pass is final: the tile is
 *     dead-lettered and reported failed (default 5)
 * @param inputCacheBytes decoded input images kept for the next tiles of the same job (default 512 MiB)
 * @param kafkaOverrides extra client properties (TLS, SASL, ...), applied last
 * @param lockDuration how long the broker lets a worker hold a tile without a word before giving it to
 *     another: the longest a dead worker's tile waits. Set on the share group at start-up (the broker
 *     allows 15 s to 60 s by default). Workers renew the lock of a tile they are still making every third
 *     of it, so long tiles keep their claim (default 30 s)
 * @param shutdownGrace on shutdown, how long tiles in hand may take to finish before they are released to
 *     other workers (default 30 s)
 * @param transientRetry how long one delivery retries a storage or broker fault that may pass, with
 *     backoff, before it releases the tile for another delivery (default 2 min)
 * @param blocklistAfter failures of one job's tiles on this worker after which it stops taking that job's
 *     tiles for {@link #BLOCKLIST_TIME} (default 3)
 * @param limits what one tile may use (CPU time, memory and time of external renderers) and read (image sizes,
 *     buckets), and which external renderers the worker takes ({@link WorkerRenderers}); see {@link TileLimits}
 */
public record WorkerConfig(String bootstrapServers, Topics topics, TopicLayout layout, String workerId, int threads,
    int maxAttempts, long inputCacheBytes, Map<String, String> kafkaOverrides, Duration lockDuration,
    Duration shutdownGrace, Duration transientRetry, int blocklistAfter, TileLimits limits) {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final long DEFAULT_INPUT_CACHE_BYTES = 512L << 20;
  public static final Duration DEFAULT_LOCK_DURATION = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TRANSIENT_RETRY = Duration.ofMinutes(2);
  public static final int DEFAULT_BLOCKLIST_AFTER = 3;
  /** How long a blocklisted job stays refused: long enough to let other workers take its tiles. */
  public static final Duration BLOCKLIST_TIME = Duration.ofMinutes(10);
  /**
   * Deliveries after which the broker archives a tile for good (the share group's delivery count limit,
   * set at start-up; the broker's own cap is 10 by default). Kept above {@code maxAttempts} so that
   * deliveries lost to killed workers or released by blocklisting workers do not lose the tile.
   */
  public static final int DELIVERY_LIMIT = 10;

  public WorkerConfig {
    Require.nonNull("bootstrapServers", bootstrapServers, "topics", topics, "layout", layout, "workerId", workerId,
        "lockDuration", lockDuration, "shutdownGrace", shutdownGrace, "transientRetry", transientRetry,
        "limits", limits);
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (maxAttempts < 1 || maxAttempts >= DELIVERY_LIMIT) {
      throw new IllegalArgumentException("maxAttempts must be from 1 to " + (DELIVERY_LIMIT - 1) + ", got "
          + maxAttempts);
    }
    if (lockDuration.toMillis() < 1000) {
      throw new IllegalArgumentException("lockDuration must be at least 1 s, got " + lockDuration);
    }
    if (blocklistAfter < 1) {
      throw new IllegalArgumentException("blocklistAfter must be at least 1, got " + blocklistAfter);
    }
    kafkaOverrides = Map.copyOf(kafkaOverrides);
  }

  /** With the default tile limits. */
  public WorkerConfig(String bootstrapServers, Topics topics, TopicLayout layout, String workerId, int threads,
      int maxAttempts, long inputCacheBytes, Map<String, String> kafkaOverrides, Duration lockDuration,
      Duration shutdownGrace, Duration transientRetry, int blocklistAfter) {
    this(bootstrapServers, topics, layout, workerId, threads, maxAttempts, inputCacheBytes, kafkaOverrides,
        lockDuration, shutdownGrace, transientRetry, blocklistAfter, TileLimits.DEFAULTS);
  }

  /** With the defaults for lock duration, shutdown grace, transient retry and blocklist. */
  public WorkerConfig(String bootstrapServers, Topics topics, TopicLayout layout, String workerId, int threads,
      int maxAttempts, long inputCacheBytes, Map<String, String> kafkaOverrides) {
    this(bootstrapServers, topics, layout, workerId, threads, maxAttempts, inputCacheBytes, kafkaOverrides,
        DEFAULT_LOCK_DURATION, DEFAULT_SHUTDOWN_GRACE, DEFAULT_TRANSIENT_RETRY, DEFAULT_BLOCKLIST_AFTER,
        TileLimits.DEFAULTS);
  }

  /** The same settings for another worker: a member of the same {@link WorkerProcess}, named {@code id}. */
  WorkerConfig withWorkerId(String id) {
    return new WorkerConfig(bootstrapServers, topics, layout, id, threads, maxAttempts, inputCacheBytes,
        kafkaOverrides, lockDuration, shutdownGrace, transientRetry, blocklistAfter, limits);
  }

  /** How often a tile still being made has its lock renewed: a third of the lock, so a late renewal still lands. */
  Duration renewInterval() {
    return lockDuration.dividedBy(3);
  }
}
