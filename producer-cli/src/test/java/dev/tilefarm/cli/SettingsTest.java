package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir
  Path dir;

  @Test
  void defaultsMeanAnEmbeddedFarm() {
    Settings s = Settings.load(Map.of(), Map.of("HOME", "/home/ann"), null);
    assertFalse(s.clusterConfigured());
    assertNull(s.s3Endpoint());
    assertEquals("tilefarm", s.bucket());
    assertEquals("tilefarm.jobs", s.topics().jobs().name());
    assertEquals(Path.of("/home/ann/.tilefarm"), s.dataDir());
  }

  @Test
  void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
    Path file = dir.resolve("tilefarm.properties");
    Files.writeString(file, "s3.bucket=from-file\ntopic.prefix=file.\ntopic.partitions=12\n");
    Map<String, String> env = Map.of("TILEFARM_S3_BUCKET", "from-env", "TILEFARM_TOPIC_PREFIX", "env.");
    Map<String, String> flags = new HashMap<>();
    flags.put("s3.bucket", "from-flag");
    flags.put("topic.prefix", null);
    Settings s = Settings.load(flags, env, file);
    assertEquals("from-flag", s.bucket());
    assertEquals("env.", s.topicPrefix());
    assertEquals(12, s.partitions());
  }

  @Test
  void confinedInputsStillIncludeTheFarmsOwnBucketWhereUploadsLive() {
    Settings s = Settings.load(Map.of("limits.input-buckets", "photos", "s3.bucket", "farm"), Map.of(), null);
    assertTrue(s.limits().inputAllowed("photos"));
    assertTrue(s.limits().inputAllowed("farm"));
    assertFalse(s.limits().inputAllowed("other"));
    assertTrue(s.roles().tileLimits().readable("farm"));
    assertFalse(s.roles().tileLimits().readable("other"));
    // Unset still means any bucket.
    assertTrue(Settings.load(Map.of(), Map.of(), null).limits().inputAllowed("other"));
  }

  @Test
  void workerRenderersNameTheExternalRenderersWorkersTakeAndBadNamesAreRefusedNamingTheSetting() {
    assertEquals(dev.tilefarm.worker.WorkerRenderers.INSTALLED,
        Settings.load(Map.of(), Map.of(), null).roles().tileLimits().renderers());
    Settings none = Settings.load(Map.of(), Map.of("TILEFARM_WORKER_RENDERERS", "none"), null);
    assertEquals("none", none.roles().tileLimits().renderers().toString());
    Settings two = Settings.load(Map.of("worker.renderers", "ffmpeg, povray"), Map.of(), null);
    assertEquals("povray,ffmpeg", two.roles().tileLimits().renderers().toString());
    // --renderers on `tilefarm worker` replaces the setting, and nothing else.
    Settings chosen = two.withWorkerRenderers(dev.tilefarm.worker.WorkerRenderers.parse("blender"));
    assertEquals("blender", chosen.roles().tileLimits().renderers().toString());
    assertEquals(two.roles().tileLimits().withRenderers(chosen.roles().tileLimits().renderers()),
        chosen.roles().tileLimits());
    assertEquals(two.roles().retryRetention(), chosen.roles().retryRetention());
    Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
        () -> Settings.load(Map.of(), Map.of("TILEFARM_WORKER_RENDERERS", "povray,maya"), null));
    assertEquals("setting worker.renderers (TILEFARM_WORKER_RENDERERS) = 'povray,maya': unknown renderer 'maya' "
        + "(valid: povray, blender, ffmpeg, or none)", e.getMessage());
  }

  @Test
  void partitionsDefaultToOneOnTheEmbeddedBrokerAndSixOnACluster() {
    assertEquals(1, Settings.load(Map.of(), Map.of(), null).layout().defaultPartitions());
    Settings cluster = Settings.load(Map.of("bootstrap.servers", "kafka:9092"), Map.of(), null);
    assertEquals(6, cluster.layout().defaultPartitions());
    // Attaching to the embedded broker keeps what was decided for it.
    assertEquals(1, Settings.load(Map.of(), Map.of(), null)
        .connectedTo("127.0.0.1:9092", java.net.URI.create("http://127.0.0.1:9000"), "a", "s", "b").partitions());
    assertEquals(3, Settings.load(Map.of("topic.partitions", "3"), Map.of(), null).partitions());
  }

  @Test
  void theApiGetsItsAllowedHostsAndTheSplittersPixelLimit() {
    Map<String, String> cluster = Map.of("bootstrap.servers", "kafka:9092");
    Settings s = Settings.load(cluster, Map.of("TILEFARM_HTTP_ALLOWED_HOSTS", "farm.example.com, tilefarm.lan",
        "TILEFARM_LIMITS_MAX_PIXELS", "1000000"), null);
    assertEquals(java.util.List.of("farm.example.com", "tilefarm.lan"), s.api().allowedHosts());
    assertEquals(1_000_000L, s.api().maxPixels(), "uploads are checked against the limit the splitter applies");
    assertEquals(java.util.List.of(), Settings.load(cluster, Map.of(), null).api().allowedHosts());
    assertThrows(IllegalArgumentException.class, () -> Settings.load(cluster, Map.of("TILEFARM_HTTP_ALLOWED_HOSTS",
        "farm.example.com:8080"), null).api(), "a name with a port would never match a Host's name");
  }

  @Test
  void unknownKeyInAFileIsAnErrorListingTheValidOnes() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "bootstrap.server=kafka:9092\n");
    Settings.ConfigException e = assertThrows(Settings.ConfigException.class, () -> Settings.load(Map.of(), Map.of(), file));
    assertTrue(e.getMessage().contains("unknown key 'bootstrap.server'"), e.getMessage());
    assertTrue(e.getMessage().contains("bootstrap.servers"), e.getMessage());
  }

  @Test
  void badValuesNameTheSettingAndItsVariable() {
    Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
        () -> Settings.load(Map.of(), Map.of("TILEFARM_TOPIC_PARTITIONS", "many"), null));
    assertEquals("setting topic.partitions (TILEFARM_TOPIC_PARTITIONS) = 'many': must be an integer", e.getMessage());
    Settings.ConfigException url = assertThrows(Settings.ConfigException.class,
        () -> Settings.load(Map.of("s3.endpoint", "minio:9000"), Map.of(), null));
    assertTrue(url.getMessage().contains("must be a URL"), url.getMessage());
  }

  @Test
  void environmentNamesFollowTheKeys() {
    assertEquals("TILEFARM_S3_ACCESS_KEY", Settings.envName("s3.access-key"));
    assertEquals("TILEFARM_LIMITS_MAX_PIXELS", Settings.envName("limits.max-pixels"));
  }
}
