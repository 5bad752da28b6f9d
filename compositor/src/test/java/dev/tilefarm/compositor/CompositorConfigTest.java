package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class CompositorConfigTest {
  @Test
  void defaultsAndTheStreamsSettingsTheyGive() {
    CompositorConfig defaults = CompositorConfig.defaults("k:9092");
    assertEquals(Duration.ofMillis(250), defaults.progressInterval());
    assertEquals(Duration.ofMillis(100), defaults.commitInterval());
    CompositorConfig c = new CompositorConfig("k:9092", new Topics("x."), Path.of("/s"), defaults.progressInterval(),
        defaults.commitInterval(), Map.of());
    Properties p = c.streamsProperties();
    assertEquals("x.compositor", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
    assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertEquals("100", p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    assertEquals("-1", p.get(StreamsConfig.REPLICATION_FACTOR_CONFIG));
    assertEquals("300000", p.get("producer.transaction.timeout.ms"));
    assertEquals(Path.of("/s", "assembly"), c.assemblyDir());
    // The settings are ones Kafka Streams accepts as they are.
    new StreamsConfig(p);
  }

  @Test
  void overridesApplyLastAndReachTheAdminClientWhenTheyConcernIt() {
    CompositorConfig c = withOverrides(Map.of(
        "producer.transaction.timeout.ms", "900000", "num.stream.threads", "2", "admin.request.timeout.ms", "5000",
        "security.protocol", "SSL", "topic.min.insync.replicas", "2"));
    Properties p = c.streamsProperties();
    assertEquals("900000", p.get("producer.transaction.timeout.ms"));
    assertEquals("2", p.get("num.stream.threads"));
    Properties admin = c.adminProperties();
    assertEquals("5000", admin.get("request.timeout.ms"));
    assertEquals("SSL", admin.get("security.protocol"));
    assertEquals("k:9092", admin.get("bootstrap.servers"));
    assertEquals(3, admin.size());
  }

  @Test
  void unknownAndReservedSettingsAreRefused() {
    var typo = assertThrows(IllegalArgumentException.class,
        () -> withOverrides(Map.of("producer.linger.msec", "5")));
    assertTrue(typo.getMessage().contains("'producer.linger.msec'"), typo.getMessage());
    var guarantee = assertThrows(IllegalArgumentException.class,
        () -> withOverrides(Map.of("processing.guarantee", "at_least_once")));
    assertTrue(guarantee.getMessage().contains("exactly-once"), guarantee.getMessage());
    assertThrows(IllegalArgumentException.class, () -> withOverrides(Map.of("state.dir", "/elsewhere")));
    Path dir = CompositorConfig.defaultStateDir();
    Topics topics = new Topics(Topics.DEFAULT_PREFIX);
    var progress = assertThrows(IllegalArgumentException.class, () -> new CompositorConfig("k:9092", topics, dir,
        Duration.ZERO, CompositorConfig.DEFAULT_COMMIT_INTERVAL, Map.of()));
    assertTrue(progress.getMessage().contains("progressInterval"), progress.getMessage());
    var commit = assertThrows(IllegalArgumentException.class, () -> new CompositorConfig("k:9092", topics, dir,
        CompositorConfig.DEFAULT_PROGRESS_INTERVAL, Duration.ofMillis(-1), Map.of()));
    assertTrue(commit.getMessage().contains("commitInterval"), commit.getMessage());
  }

  /** The defaults with these overrides. */
  private static CompositorConfig withOverrides(Map<String, String> overrides) {
    return new CompositorConfig("k:9092", new Topics(Topics.DEFAULT_PREFIX), CompositorConfig.defaultStateDir(),
        CompositorConfig.DEFAULT_PROGRESS_INTERVAL, CompositorConfig.DEFAULT_COMMIT_INTERVAL, overrides);
  }

  @Test
  void failOverSettingsAreOnByDefaultAndKafkaConfigOverridesThem() {
    Properties p = CompositorConfig.defaults("k:9092").streamsProperties();
    assertEquals("1", p.get("num.standby.replicas"));
    assertEquals("6000", p.get("session.timeout.ms"));
    assertEquals("1500", p.get("heartbeat.interval.ms"));
    assertEquals("60000", p.get("probing.rebalance.interval.ms"));
    Properties slower = withOverrides(Map.of("session.timeout.ms", "10000", "num.standby.replicas", "2"))
        .streamsProperties();
    assertEquals("10000", slower.get("session.timeout.ms"));
    assertEquals("2", slower.get("num.standby.replicas"));
  }
}
