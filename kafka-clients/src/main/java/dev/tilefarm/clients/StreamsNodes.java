package dev.tilefarm.clients;

import dev.tilefarm.schemas.Topic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/**
 * What the farm's two Kafka Streams topologies (the splitter's and the compositor's) share. In both, one processor
 * reads raw bytes, so that a record that does not decode still reaches it (for the dead-letter topic), and forwards
 * records of several value types, each to the sink of the topic that carries that type. The nodes of the farm
 * topics both read or write are named here, once.
 */
public final class StreamsNodes {
  /** The source of the tile results topic. */
  public static final String RESULTS_SOURCE = "tile-results";
  /** The sink of the shared lane's tile tasks topic (an external renderer's lane is {@code tile-tasks.ID}). */
  public static final String TASKS_SINK = "tile-tasks";
  /** The sink of the job events topic. */
  public static final String EVENTS_SINK = "job-events";
  /** The sink of the dead-letter topic. */
  public static final String DEAD_LETTER_SINK = "dead-letter";

  private StreamsNodes() {}

  /** Adds a source named {@code name} that reads {@code topic}'s keys and values as raw bytes. */
  public static void addRawSource(Topology topology, String name, Topic<?, ?> topic) {
    topology.addSource(name, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topic.name());
  }

  /**
   * Adds a sink named {@code name} that writes String keys and {@code topic}'s values, fed by {@code parent}, which
   * forwards to it only values of {@code topic}'s type (its other types go to other sinks).
   */
  public static void addSink(Topology topology, String name, Topic<?, ?> topic, String parent) {
    topology.addSink(name, topic.name(), Serdes.String().serializer(), values(topic), parent);
  }

  @SuppressWarnings("unchecked")
  private static Serializer<Object> values(Topic<?, ?> topic) {
    return (Serializer<Object>) topic.valueSerde().serializer();
  }
}
