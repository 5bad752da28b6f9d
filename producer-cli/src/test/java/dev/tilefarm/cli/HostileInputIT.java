package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile corpus (src/test/resources/hostile, see expected.txt there): every malformed or malicious
 * record gets its REJECTED event or its dead-letter record with a reason, no role dies, and a valid job
 * published after each one completes.
 */
class HostileInputIT {
  @TempDir
  Path dir;

  private record Verdict(String kind, String field) {}

  @Test
  void everyHostileRecordIsAnsweredAndValidJobsBetweenThemComplete() throws Exception {
    Path corpus = Path.of("src/test/resources/hostile");
    Map<String, Verdict> expected = new LinkedHashMap<>();
    for (String line : Files.readAllLines(corpus.resolve("expected.txt"))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      expected.put(f[0], new Verdict(f[1], f.length > 2 ? f[2] : null));
    }
    Map<String, byte[]> records = new LinkedHashMap<>();
    for (String name : expected.keySet()) {
      records.put(name, Files.readAllBytes(corpus.resolve(name)));
    }
    // Generated rather than stored: a record over the 512 KiB job limit, and one with no value at all.
    byte[] big = new byte[600 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    byte[] head = "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8}".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, big, 0, head.length);
    records.put("oversized", big);
    expected.put("oversized", new Verdict("DEAD_LETTER", null));
    records.put("no-value", null);
    expected.put("no-value", new Verdict("DEAD_LETTER", null));

    Map<String, String> confined = Map.of("limits.output-locations", "tilefarm/outputs/",
        "limits.input-buckets", "tilefarm");
    try (TestFarm farm = TestFarm.start(dir, 1, confined); JobClient client = new JobClient(farm.farm.settings())) {
      try (var files = Files.list(corpus.resolve("inputs"))) {
        for (Path input : files.toList()) {
          farm.farm.blobs().put(new S3Uri("tilefarm", "hostile/" + input.getFileName()), Files.readAllBytes(input),
              "application/octet-stream");
        }
      }
      var from = client.eventPositions();
      List<String> keys = new ArrayList<>();
      List<String> valid = new ArrayList<>();
      int n = 0;
      for (Map.Entry<String, byte[]> r : records.entrySet()) {
        String key = "h-" + r.getKey().replaceAll("[^A-Za-z0-9._-]", "_");
        keys.add(key);
        client.submitRaw(key, r.getValue());
        valid.add(client.submit(TestFarm.json("{\"id\":\"valid-" + n++ + "\",\"type\":\"render\","
            + "\"renderer\":\"mandelbrot\",\"width\":24,\"height\":16}")));
      }
      List<String> rejectedKeys = new ArrayList<>();
      records.keySet().forEach(name -> {
        if (expected.get(name).kind().equals("REJECTED")) {
          rejectedKeys.add("h-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
        }
      });
      List<String> awaited = new ArrayList<>(valid);
      awaited.addAll(rejectedKeys);
      Map<String, JobEvent> ends = client.await(awaited, Set.of(), from, TestFarm.TIMEOUT, e -> { });
      for (String id : valid) {
        assertInstanceOf(JobEvent.Completed.class, ends.get(id), id + ": " + ends.get(id));
      }
      Set<String> deadKeys = new java.util.HashSet<>();
      records.keySet().forEach(name -> {
        if (expected.get(name).kind().equals("DEAD_LETTER")) {
          deadKeys.add("h-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
        }
      });
      Map<String, DeadLetter> letters = deadLetters(farm, deadKeys);
      List<String> wrong = new ArrayList<>();
      for (String name : records.keySet()) {
        String key = "h-" + name.replaceAll("[^A-Za-z0-9._-]", "_");
        Verdict v = expected.get(name);
        if (v.kind().equals("REJECTED")) {
          JobEvent end = ends.get(key);
          if (!(end instanceof JobEvent.Rejected rej) || rej.reason().isBlank()
              || !java.util.Objects.equals(v.field().equals("-") ? null : v.field(), rej.field())) {
            wrong.add(name + ": expected REJECTED " + v.field() + ", got " + end);
          }
        } else {
          DeadLetter letter = letters.get(key);
          if (letter == null || letter.error() == null || letter.error().isBlank()) {
            wrong.add(name + ": expected a dead letter, got " + letter + " / event " + ends.get(key));
          }
        }
      }
      assertTrue(wrong.isEmpty(), String.join("\n", wrong));
      System.out.printf("hostile corpus: %d records tried, %d rejected, %d dead-lettered, %d valid jobs completed%n",
          records.size(), rejectedKeys.size(), records.size() - rejectedKeys.size(), valid.size());
    }
  }

  /** The dead letters by their record key, read until all of {@code keys} are in or the test's timeout. */
  private static Map<String, DeadLetter> deadLetters(TestFarm farm, Set<String> keys) {
    Settings s = farm.farm.settings();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, DeadLetter> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      var parts = c.partitionsFor(s.topics().deadLetter().name()).stream()
          .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
      while (!out.keySet().containsAll(keys) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          DeadLetter d = s.topics().deadLetter().valueSerde().deserializer().deserialize(r.topic(), r.value());
          String key = d.keyBase64() == null ? null : new String(Base64.getDecoder().decode(d.keyBase64()),
              StandardCharsets.UTF_8);
          out.put(key, d);
        }
      }
    }
    assertFalse(out.isEmpty());
    return out;
  }
}
