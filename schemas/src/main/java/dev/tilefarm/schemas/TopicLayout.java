package dev.tilefarm.schemas;

import java.util.Map;

/**
 * How the farm's topics are created when missing: partitions per topic (by base name, e.g.
 * {@code "tile-tasks"}), and the replication factor (-1 takes the broker's default).
 */
public record TopicLayout(int defaultPartitions, Map<String, Integer> partitions, short replication) {
  /** 6 partitions each, broker-default replication. */
  public static final TopicLayout DEFAULTS = new TopicLayout(6, Map.of(), (short) -1);

  public TopicLayout {
    partitions = Map.copyOf(partitions);
    if (defaultPartitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + defaultPartitions);
    }
    partitions.forEach((topic, n) -> {
      if (n < 1) {
        throw new IllegalArgumentException("partitions of " + topic + " must be at least 1, got " + n);
      }
    });
  }

  int partitionsOf(String baseName) {
    return partitions.getOrDefault(baseName, defaultPartitions);
  }
}
