package dev.tilefarm.worker;

import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a render worker needs to run.
 *
 * @param bootstrapServers the Kafka cluster
 * @param topics the farm's topics
 * @param layout partitions and replication of topics created at start-up
 * @param workerId this worker's name in tile results and logs
 * @param threads tiles rendered at once (default: one per core)
 * @param maxAttempts deliveries of one tile before it is reported failed instead of retried (default 5)
 * @param inputCacheBytes decoded input images kept for the next tiles of the same job (default 512 MiB)
 * @param kafkaOverrides extra client properties, applied last
 */
public record WorkerConfig(String bootstrapServers, Topics topics, TopicLayout layout, String workerId, int threads,
    int maxAttempts, long inputCacheBytes, Map<String, String> kafkaOverrides) {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final long DEFAULT_INPUT_CACHE_BYTES = 512L << 20;

  public WorkerConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(workerId, "workerId");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    kafkaOverrides = Map.copyOf(kafkaOverrides);
  }
}
