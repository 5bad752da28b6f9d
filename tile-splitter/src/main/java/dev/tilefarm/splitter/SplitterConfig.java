package dev.tilefarm.splitter;

import dev.tilefarm.schemas.Require;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.JobLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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
  /** How long a job may wait for an id the farm does not know before it fails naming it (fixed). */
  public static final Duration DEFAULT_DEPENDENCY_GRACE = Duration.ofSeconds(30);
  /** How often waiting jobs are looked at again (fixed). */
  public static final Duration DEFAULT_WAIT_CHECK = Duration.ofMillis(250);
  /**
   * How long a failed or cancelled job stays retryable here (its JSON kept), and how long an ended job's outcome
   * is known to jobs after it: a week, as long as the compositor keeps an ended job's marker (fixed).
   */
  public static final Duration DEFAULT_SPEC_RETENTION = Duration.ofDays(7);

  public SplitterConfig {
    Require.nonNull("bootstrapServers", bootstrapServers, "topics", topics, "layout", layout, "stateDir", stateDir,
        "limits", limits, "commitInterval", commitInterval);
    kafkaOverrides = Map.copyOf(kafkaOverrides);
  }
}
