package dev.tilefarm.splitter;

import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.JobLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the tile splitter needs to run.
 *
 * @param bootstrapServers the Kafka cluster
 * @param topics the farm's topics (their prefix)
 * @param layout partitions and replication of topics created at start-up
 * @param stateDir where Kafka Streams keeps the accepted-job store
 * @param limits what jobs the farm accepts
 * @param commitInterval how often the exactly-once transaction commits; downstream sees a job's tiles
 *     only after it, so it bounds the splitter's share of job latency (default 50 ms)
 * @param kafkaOverrides extra Kafka Streams / client properties, applied last
 */
public record SplitterConfig(String bootstrapServers, Topics topics, TopicLayout layout, Path stateDir,
    JobLimits limits, Duration commitInterval, Map<String, String> kafkaOverrides) {
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(50);

  public SplitterConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(commitInterval, "commitInterval");
    kafkaOverrides = Map.copyOf(kafkaOverrides);
  }
}
