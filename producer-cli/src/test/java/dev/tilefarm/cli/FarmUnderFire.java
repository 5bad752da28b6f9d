package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tilefarm.api.HttpApi;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.Topics;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An embedded farm with every role (the upload trigger and the HTTP API too) and a producer that may write
 * anything the broker accepts to any topic a role consumes: for the tests that throw hostile records at it.
 */
final class FarmUnderFire implements AutoCloseable {
  /**
   * The broker's default {@code message.max.bytes} is 1048588 for a whole batch: a value this large, with a
   * short key and one record's framing, is about the largest the broker accepts.
   */
  static final int BROKER_LIMIT_VALUE = 1_048_400;

  final TestFarm farm;
  final HttpApi api;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<String, byte[]> dead;
  private final Map<String, DeadLetter> letters = new HashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();

  FarmUnderFire(Path dir) throws Exception {
    Path rules = dir.resolve("rules.json");
    Files.createDirectories(dir);
    Files.writeString(rules, "[{\"bucket\":\"tilefarm\",\"prefix\":\"incoming/\",\"ops\":[{\"op\":\"invert\"}],"
        + "\"output\":\"s3://tilefarm/triggered/\",\"format\":\"png\"}]");
    farm = TestFarm.start(dir.resolve("farm"), 1, Map.of("triggers.rules", rules.toString(), "http.port", "0"));
    api = farm.farm.startApi();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, farm.farm.settings().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Above the broker's limit, so that the broker, not this producer, decides what is too large.
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "0");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, farm.farm.settings().bootstrapServers());
    dead = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    String deadTopic = topics().deadLetter().name();
    dead.partitionsFor(deadTopic, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(deadTopic, i.partition())));
    dead.assign(parts);
    dead.seekToBeginning(parts);
  }

  Topics topics() {
    return farm.farm.settings().topics();
  }

  /** Every topic a role of the farm consumes. */
  List<String> consumedTopics() {
    Topics t = topics();
    List<String> all = new ArrayList<>(List.of(t.jobs().name(), t.tileTasks().name()));
    for (Renderer renderer : Renderer.externals()) {
      all.add(t.tileTasksFor(renderer.id()).name());
    }
    all.addAll(List.of(t.tileResults().name(), t.jobControl().name(), t.jobEvents().name(), t.workers().name(),
        t.uploads().name()));
    return all;
  }

  /**
   * The topics whose consumer dead-letters what it cannot use: all but the job events and worker heartbeats,
   * which their readers (workers' job watch, the API) only follow, and the task topic of an external renderer
   * this machine does not have (no worker reads it).
   */
  Set<String> deadLettering() {
    Topics t = topics();
    Set<String> out = new java.util.LinkedHashSet<>(consumedTopics());
    out.remove(t.jobEvents().name());
    out.remove(t.workers().name());
    for (Renderer renderer : Renderer.externals()) {
      if (!onPath(renderer.id())) {
        out.remove(t.tileTasksFor(renderer.id()).name());
      }
    }
    return out;
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Publishes one record as is; false if the broker refused it (a record without a key on a compacted topic,
   * one over its size limit), which then reaches no role.
   */
  boolean publish(String topic, byte[] key, byte[] value) throws Exception {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.InvalidRecordException
          || e.getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException) {
        return false;
      }
      throw e;
    }
  }

  /** Waits for the dead letter whose record key is {@code key}; returns it. */
  DeadLetter awaitLetter(String key, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!letters.containsKey(key)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no dead letter under " + key + " within " + timeout + "; have " + letters.keySet()
            + "; roles down: " + farm.farm.down());
      }
      for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(200))) {
        DeadLetter d = topics().deadLetter().valueSerde().deserializer().deserialize(r.topic(), r.value());
        letters.put(r.key() != null ? r.key() : d.sourceTopic() + "-" + d.partition() + "@" + d.offset(), d);
      }
    }
    return letters.get(key);
  }

  /** The bytes of one side of a letter: inline or claim-checked (then checked against its size and sha256). */
  byte[] original(DeadLetter d, boolean value) throws Exception {
    String b64 = value ? d.valueBase64() : d.keyBase64();
    DeadLetter.Stored stored = value ? d.valueStored() : d.keyStored();
    if (b64 != null) {
      return java.util.Base64.getDecoder().decode(b64);
    }
    if (stored == null) {
      return null;
    }
    byte[] bytes = farm.farm.blobs().get(S3Uri.parse(stored.uri()));
    assertEquals(stored.size(), bytes.length, stored.uri());
    assertEquals(stored.sha256(), sha256(bytes), stored.uri());
    return bytes;
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** What /healthz answers: status code and body. */
  HttpResponse<String> health() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(api.uri() + "healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Runs one small valid job to its end, which must be COMPLETED. */
  void validJobCompletes(String id) throws Exception {
    JobEvent end = farm.runOne(TestFarm.json("{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
        + "\"width\":24,\"height\":16}"));
    assertInstanceOf(JobEvent.Completed.class, end, id + ": " + end);
  }

  /** Roles of the farm that are down, by name (empty when none). */
  Map<String, String> down() {
    return farm.farm.down();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    dead.close(Duration.ofSeconds(5));
    api.close();
    farm.close();
  }
}
