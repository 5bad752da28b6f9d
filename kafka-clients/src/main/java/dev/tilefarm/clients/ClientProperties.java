package dev.tilefarm.clients;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The properties of one kind of Kafka client, built the one way every role builds them: the role's own settings,
 * then the farm's client overrides that this kind of client understands (TLS, SASL and tuning from
 * {@code kafka.config}; they win over the role's settings), and the cluster the role was given as
 * {@code bootstrap.servers}, which no override replaces.
 *
 * <p>A client understands an override by its plain Kafka name ({@code security.protocol}). The overrides of a
 * Kafka Streams app may also name a client's setting under Streams' prefix for it ({@code admin.},
 * {@code consumer.}, {@code producer.}), which wins over the plain name: see {@link #ofStreamsApp}.
 *
 * <pre>{@code
 * Properties p = ClientProperties.PRODUCER.of(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all"), overrides);
 * }</pre>
 */
public enum ClientProperties {
  ADMIN(AdminClientConfig.configNames(), "admin."),
  CONSUMER(ConsumerConfig.configNames(), "consumer."),
  PRODUCER(ProducerConfig.configNames(), "producer.");

  private final Set<String> names;
  private final String streamsPrefix;

  ClientProperties(Set<String> names, String streamsPrefix) {
    this.names = Set.copyOf(names);
    this.streamsPrefix = streamsPrefix;
  }

  /** Kafka Streams' prefix for this kind of client's settings ({@code StreamsConfig.ADMIN_CLIENT_PREFIX}, ...). */
  public String streamsPrefix() {
    return streamsPrefix;
  }

  /** The overrides this kind of client understands, by their plain name. */
  public <V> Map<String, V> understood(Map<String, V> overrides) {
    Map<String, V> out = new HashMap<>();
    overrides.forEach((k, v) -> {
      if (names.contains(k)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /**
   * The overrides of a Kafka Streams app that this kind of client understands: by their plain name, or under
   * {@link #streamsPrefix()} (stripped), which wins over the plain name.
   */
  public <V> Map<String, V> understoodInStreamsApp(Map<String, V> overrides) {
    Map<String, V> out = understood(overrides);
    overrides.forEach((k, v) -> {
      if (k.startsWith(streamsPrefix) && names.contains(k.substring(streamsPrefix.length()))) {
        out.put(k.substring(streamsPrefix.length()), v);
      }
    });
    return out;
  }

  /** A client of the cluster at {@code bootstrap}, with the overrides it understands. */
  public Properties of(String bootstrap, Map<String, String> overrides) {
    return of(bootstrap, Map.of(), overrides);
  }

  /** A client of the cluster at {@code bootstrap}: {@code settings}, then the overrides it understands. */
  public Properties of(String bootstrap, Map<String, String> settings, Map<String, String> overrides) {
    return build(bootstrap, settings, understood(overrides));
  }

  /**
   * As {@link #of(String, Map, Map)}, for a client of a Kafka Streams app whose {@code overrides} may name this
   * client's settings under {@link #streamsPrefix()}.
   */
  public Properties ofStreamsApp(String bootstrap, Map<String, String> settings, Map<String, String> overrides) {
    return build(bootstrap, settings, understoodInStreamsApp(overrides));
  }

  private static Properties build(String bootstrap, Map<String, String> settings, Map<String, String> understood) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("bootstrap.servers is empty: name the Kafka cluster (host:port[,host:port])");
    }
    Properties p = new Properties();
    p.putAll(settings);
    p.putAll(understood);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }
}
