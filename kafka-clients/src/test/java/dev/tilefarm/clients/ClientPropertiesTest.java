package dev.tilefarm.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ClientPropertiesTest {
  /** A kafka.config as the CLI reads it: security for every client, tuning for some. */
  private static final Map<String, String> OVERRIDES = Map.of(
      "security.protocol", "SASL_SSL",
      "sasl.mechanism", "SCRAM-SHA-512",
      "acks", "1",
      "max.poll.records", "7",
      "num.stream.threads", "2",
      "no.such.setting", "x");

  @Test
  void eachClientTakesTheOverridesItUnderstands() {
    assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"),
        ClientProperties.ADMIN.understood(OVERRIDES));
    assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "max.poll.records", "7"),
        ClientProperties.CONSUMER.understood(OVERRIDES));
    assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "acks", "1"),
        ClientProperties.PRODUCER.understood(OVERRIDES));
  }

  @Test
  void overridesWinOverTheRolesSettingsButNotOverItsCluster() {
    Properties p = ClientProperties.PRODUCER.of("k1:9092", Map.of("acks", "all", "linger.ms", "5"),
        Map.of("acks", "1", "bootstrap.servers", "elsewhere:9092", "max.poll.records", "7"));
    Properties expected = new Properties();
    expected.putAll(Map.of("acks", "1", "linger.ms", "5", "bootstrap.servers", "k1:9092"));
    assertEquals(expected, p);
  }

  @Test
  void aStreamsAppsPrefixedSettingWinsOverThePlainOne() {
    Map<String, String> overrides = Map.of("request.timeout.ms", "1000", "admin.request.timeout.ms", "5000",
        "consumer.max.poll.records", "3", "producer.max.request.size", "3000000", "max.request.size", "2000000",
        "admin.no.such.setting", "x");
    assertEquals(Map.of("request.timeout.ms", "5000"), ClientProperties.ADMIN.understoodInStreamsApp(overrides));
    assertEquals(Map.of("request.timeout.ms", "1000", "max.poll.records", "3"),
        ClientProperties.CONSUMER.understoodInStreamsApp(overrides));
    assertEquals("3000000", ClientProperties.PRODUCER.understoodInStreamsApp(overrides).get("max.request.size"));
    // Outside a Streams app a prefixed name means nothing to a client.
    assertEquals(Map.of("request.timeout.ms", "1000"), ClientProperties.ADMIN.understood(overrides));
    Properties admin = ClientProperties.ADMIN.ofStreamsApp("k:9092", Map.of(), overrides);
    assertEquals("5000", admin.get("request.timeout.ms"));
    assertEquals(2, admin.size());
  }

  @Test
  void thePrefixesAreKafkaStreamsOwn() {
    assertEquals(StreamsConfig.ADMIN_CLIENT_PREFIX, ClientProperties.ADMIN.streamsPrefix());
    assertEquals(StreamsConfig.CONSUMER_PREFIX, ClientProperties.CONSUMER.streamsPrefix());
    assertEquals(StreamsConfig.PRODUCER_PREFIX, ClientProperties.PRODUCER.streamsPrefix());
  }

  @Test
  void aClientWithoutAClusterIsRefusedNamingTheSetting() {
    var e = assertThrows(IllegalArgumentException.class, () -> ClientProperties.CONSUMER.of(" ", Map.of()));
    assertTrue(e.getMessage().contains("bootstrap.servers"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClientProperties.ADMIN.of(null, Map.of()));
  }
}
