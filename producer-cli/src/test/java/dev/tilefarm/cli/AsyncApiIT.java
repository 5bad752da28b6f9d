package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AsyncAPI document ({@code schemas/src/main/resources/asyncapi.yaml}) checked three ways: against the
 * AsyncAPI 3.0 JSON Schema (vendored), against the farm's topic descriptors (one channel per topic, same
 * names), and against real traffic: after a run with a completed job, a rejected job, an undecodable
 * record and a cancel request, every record on every topic must match one of its channel's message
 * schemas, except the records the farm itself refused (dead-lettered or rejected), which must not.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AsyncApiIT {
  static final Path DOC = Path.of("../schemas/src/main/resources/asyncapi.yaml").toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
      b -> b.schemaMappers(m -> m.mapPrefix("https://tilefarm.dev/schemas/", "classpath:schemas/")));

  @TempDir
  Path dir;

  @Test
  void documentMatchesTheTopicsTheSchemasAndRealMessages() throws Exception {
    JsonNode doc = JSON.valueToTree(new org.yaml.snakeyaml.Yaml().load(Files.readString(DOC)));
    JsonSchema asyncapi = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(
        AsyncApiIT.class.getResourceAsStream("/vendored-schemas/asyncapi-3.0.0.schema.json"));
    var errors = asyncapi.validate(doc);
    assertTrue(errors.isEmpty(), "asyncapi.yaml is not valid AsyncAPI 3.0: " + errors);

    try (TestFarm farm = TestFarm.start(dir, 1)) {
      Settings settings = farm.farm.settings();
      // Channel per topic, by name.
      Map<String, List<JsonSchema>> byTopic = new HashMap<>();
      Iterator<Map.Entry<String, JsonNode>> channels = doc.get("channels").fields();
      while (channels.hasNext()) {
        JsonNode channel = channels.next().getValue();
        String topic = channel.get("address").asText();
        List<JsonSchema> schemas = new ArrayList<>();
        for (JsonNode ref : channel.get("messages")) {
          JsonNode message = resolve(doc, ref.get("$ref").asText());
          String file = message.at("/payload/schema/$ref").asText();
          assertTrue(Files.exists(DOC.getParent().resolve(file)), topic + ": " + file + " exists");
          schemas.add(SCHEMAS.getSchema(SchemaLocation.of("https://tilefarm.dev/" + file)));
        }
        byTopic.put(topic, schemas);
      }
      Set<String> topicNames = new TreeSet<>();
      for (Topic<?, ?> t : settings.topics().all()) {
        topicNames.add(t.name());
      }
      // Written by the object store, read by the upload trigger: a topic of the farm's contract all the same.
      topicNames.add(settings.topics().uploads().name());
      assertEquals(topicNames, new TreeSet<>(byTopic.keySet()), "one channel per topic of the farm");

      // Real traffic: a job that completes, one that is rejected, bytes that are no job, a cancel request.
      JobEvent done = farm.runOne(TestFarm.json(
          "{\"id\":\"a1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":48,\"tileSize\":32}"));
      assertTrue(done instanceof JobEvent.Completed, done.toString());
      try (JobClient client = new JobClient(settings)) {
        client.submitRaw("bad-bytes", "{not json".getBytes(StandardCharsets.UTF_8));
        client.submitRaw("a1", "{\"cancel\":\"a1\",\"reason\":\"too late\"}".getBytes(StandardCharsets.UTF_8));
      }
      JobEvent rejected = farm.runOne(TestFarm.json("{\"id\":\"r1\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
          + "\"width\":0,\"height\":48}"));
      assertTrue(rejected instanceof JobEvent.Rejected, rejected.toString());

      // The uploads topic exists once an upload trigger runs or MinIO is wired to it; this farm has neither.
      try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
          settings.bootstrapServers()))) {
        String uploads = settings.topics().uploads().name();
        if (!admin.listTopics().names().get().contains(uploads)) {
          admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(uploads, 1, (short) -1))).all().get();
        }
      }
      Map<String, List<ConsumerRecord<String, byte[]>>> records = readAll(settings, topicNames);
      Set<String> refused = new HashSet<>(Set.of("bad-bytes", "r1"));
      int checked = 0;
      for (var e : records.entrySet()) {
        for (ConsumerRecord<String, byte[]> r : e.getValue()) {
          if (r.value() == null && e.getKey().equals(settings.topics().workers().name())) {
            continue; // a stopped worker's tombstone on the compacted heartbeat topic
          }
          boolean refusedJob = e.getKey().equals(settings.topics().jobs().name()) && refused.contains(r.key());
          boolean matches = matchesAny(byTopic.get(e.getKey()), r.value());
          assertEquals(!refusedJob, matches, e.getKey() + "@" + r.offset() + " key " + r.key() + ": "
              + new String(r.value(), StandardCharsets.UTF_8));
          checked++;
        }
      }
      for (String topic : List.of("jobs", "job-events", "tile-tasks", "tile-results", "dead-letter")) {
        assertTrue(!records.get(settings.topics().prefix() + topic).isEmpty(), "real messages on " + topic);
      }
      assertTrue(checked > 10, "checked " + checked + " records");
    }
  }

  private static boolean matchesAny(List<JsonSchema> schemas, byte[] value) {
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (java.io.IOException e) {
      return false;
    }
    if (node == null) {
      return false;
    }
    for (JsonSchema s : schemas) {
      if (s.validate(node).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode resolve(JsonNode doc, String ref) {
    JsonNode node = doc.at(ref.substring(1));
    if (node.has("$ref")) {
      return resolve(doc, node.get("$ref").asText());
    }
    assertNotNull(node, ref);
    return node;
  }

  private static Map<String, List<ConsumerRecord<String, byte[]>>> readAll(Settings settings, Set<String> topics) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, List<ConsumerRecord<String, byte[]>>> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (String t : topics) {
        out.put(t, new ArrayList<>());
        c.partitionsFor(t, Duration.ofSeconds(30)).forEach(i -> tps.add(new TopicPartition(t, i.partition())));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.get(r.topic()).add(r);
        }
      }
    }
    return out;
  }
}
