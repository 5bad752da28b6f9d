package dev.tilefarm.worker;

import dev.tilefarm.clients.ClientProperties;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The worker's Kafka client settings, built in one place from its {@link WorkerConfig}: each client's own
 * settings, then the config's overrides (TLS, SASL, ...) that the client knows.
 */
final class WorkerClients {
  /**
   * Tiles a worker holds per render thread from the shared task topic: one being rendered, one being stored or
   * waiting, so that a thread has its next tile while the last is stored and the poll goes out. From an external
   * renderer's topic one: its tiles are long, and a second one waiting here would keep it from an idle worker.
   */
  static final int TILES_PER_THREAD = 2;

  private WorkerClients() {}

  /** How many tiles per render thread the worker takes from {@code taskTopic} (see {@link #TILES_PER_THREAD}). */
  static int tilesPerThread(WorkerConfig config, String taskTopic) {
    return taskTopic.equals(config.topics().tileTasks().name()) ? TILES_PER_THREAD : 1;
  }

  /** The admin client that creates topics and configures the share groups at start-up. */
  static Properties adminProperties(WorkerConfig config) {
    return ClientProperties.ADMIN.of(config.bootstrapServers(), config.kafkaOverrides());
  }

  /** A plain consumer with the overrides a consumer understands, for {@link JobWatch} to finish as the one it is. */
  static Properties watchProperties(WorkerConfig config) {
    return ClientProperties.CONSUMER.of(config.bootstrapServers(), config.kafkaOverrides());
  }

  /**
   * A share consumer of one task topic's group, taking at most {@code tilesPerThread} tiles per render thread
   * (see {@link #tilesPerThread}).
   */
  static Properties consumerProperties(WorkerConfig config, String group, int tilesPerThread) {
    Map<String, String> p = new HashMap<>();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    // The worker's id in the shared topic's group (which the API counts workers by), suffixed in the others.
    String shared = config.topics().taskGroup(config.topics().tileTasks().name());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, group.equals(shared) ? config.workerId()
        : config.workerId() + group.substring(shared.length()));
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    // Take no more tiles than this worker can keep busy with, leaving the rest to other workers: one being
    // rendered and one being stored (or waiting for the renderer) per thread. Renewed tiles come back on each
    // poll and count against this too, so the worker never holds more.
    p.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.threads() * tilesPerThread));
    return ClientProperties.CONSUMER.of(config.bootstrapServers(), p, config.kafkaOverrides());
  }

  /** The producer of tile results, dead letters and heartbeats. */
  static Properties producerProperties(WorkerConfig config) {
    return ClientProperties.PRODUCER.of(config.bootstrapServers(), Map.of(
        ProducerConfig.CLIENT_ID_CONFIG, config.workerId() + "-results",
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
        ProducerConfig.LINGER_MS_CONFIG, "1"), config.kafkaOverrides());
  }
}
