package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.tilefarm.cli.HttpFuzzIT.pick;
import static dev.tilefarm.cli.HttpFuzzIT.randomBytes;
import static dev.tilefarm.cli.HttpFuzzIT.seeds;
import static dev.tilefarm.cli.HttpFuzzIT.w;
import static dev.tilefarm.cli.HttpFuzzIT.weighted;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generated and mutated records on every topic a role consumes, in batches, each batch followed by a valid
 * job that must complete, with no role down and /healthz UP. The records come from QuickTheories generators
 * driven by a fixed seed, as in {@link HttpFuzzIT}, so a run is repeatable: valid messages of the topic (the
 * schemas' examples) with fields dropped, re-typed or set to odd strings, truncated at any byte; messages of
 * another topic; JSON that is no object; random bytes; no key, no value or a key of random bytes; now and then
 * a value near the broker's size limit.
 *
 * <p>One example of QuickTheories is one batch ({@value #PER_TOPIC} records for each consumed topic): the farm
 * takes seconds to start, so it starts once and every batch goes to it. The small generators are
 * {@link HttpFuzzIT}'s. {@code -Dfuzz.tries=N} runs N batches (default {@value #DEFAULT_BATCHES});
 * {@code -Dfuzz.seed=S} another seed.
 */
class RecordFuzzIT {
  static final int DEFAULT_BATCHES = 6;
  /** Records for each consumed topic in a batch: 18 a batch on the 9 topics. */
  static final int PER_TOPIC = 2;
  static final long SEED = Long.getLong("fuzz.seed", 14);
  static final int BATCHES = Integer.getInteger("fuzz.tries", DEFAULT_BATCHES);
  private static final Path EXAMPLES = Path.of("../schemas/src/main/resources/schemas/examples");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir
  Path dir;

  /** One generated record: the topic it goes to, its key and value (either may be null). */
  record Input(String topic, byte[] key, byte[] value) {
    @Override
    public String toString() {
      return topic + " key " + head(key) + " value " + head(value);
    }

    private static String head(byte[] b) {
      if (b == null) {
        return "null";
      }
      String text = new String(b, 0, Math.min(60, b.length), StandardCharsets.ISO_8859_1)
          .replaceAll("[^\\x20-\\x7e]", ".");
      return b.length + " bytes '" + text + "'";
    }
  }

  @Test
  void everyConsumerSurvivesGeneratedRecordsAndEveryValidJobCompletes() throws Exception {
    try (FarmUnderFire f = new FarmUnderFire(dir.resolve("farm"))) {
      Topics t = f.topics();
      Map<String, List<JsonNode>> valid = new LinkedHashMap<>();
      List<JsonNode> jobs = new ArrayList<>(List.of(
          TestFarm.json("{\"id\":\"fz\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":24,\"height\":16}"),
          TestFarm.json("{\"type\":\"process\",\"input\":\"s3://tilefarm/no-such.png\",\"ops\":[{\"op\":\"grayscale\"}]}")));
      jobs.addAll(examples("job-cancel"));
      valid.put(t.jobs().name(), jobs);
      for (String topic : f.consumedTopics()) {
        if (topic.startsWith(t.tileTasks().name())) {
          valid.put(topic, examples("tile-task"));
        }
      }
      valid.put(t.tileResults().name(), examples("tile-result"));
      valid.put(t.jobControl().name(), examples("job-control"));
      valid.put(t.jobEvents().name(), examples("job-event"));
      valid.put(t.workers().name(), examples("worker-status"));
      valid.put(t.uploads().name(), examples("s3-event"));
      List<JsonNode> everything = valid.values().stream().flatMap(List::stream).toList();
      List<String> topics = f.consumedTopics();

      Fuzz fuzz = new Fuzz(f);
      qt().withFixedSeed(SEED).withExamples(BATCHES).withShrinkCycles(3)
          .forAll(batch(topics, valid, everything))
          .checkAssert(fuzz::batch);
      System.out.printf("record fuzz (seed %d): %d inputs tried (%d near the size limit; %d more refused by the "
          + "broker) on %d topics, %d valid jobs completed, roles crashed 0, jobs lost 0%n", SEED, fuzz.tried,
          fuzz.huge, fuzz.refused, topics.size(), fuzz.batches);
      assertEquals(BATCHES, fuzz.batches, "batches run");
    }
  }

  /** Publishes batches and checks the farm after each. */
  static final class Fuzz {
    final FarmUnderFire farm;
    int tried;
    int huge;
    int refused;
    int batches;

    Fuzz(FarmUnderFire farm) {
      this.farm = farm;
    }

    void batch(List<Input> batch) {
      try {
        for (Input input : batch) {
          if (!farm.publish(input.topic(), input.key(), input.value())) {
            refused++;
            continue;
          }
          tried++;
          if (input.value() != null && input.value().length > 512 * 1024) {
            huge++;
          }
        }
        farm.validJobCompletes("fuzz-valid-" + batches);
        assertTrue(farm.down().isEmpty(), "after batch " + batches + ": " + farm.down());
        var health = farm.health();
        assertEquals(200, health.statusCode(), "after batch " + batches + ": " + health.body());
        batches++;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      } catch (Exception e) {
        throw new AssertionError("after batch " + batches + ": " + e, e);
      }
    }
  }

  private static List<JsonNode> examples(String schema) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(EXAMPLES.resolve(schema))) {
      for (Path p : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(Json.MAPPER.readTree(p.toFile()));
      }
    }
    return out;
  }

  // ---- Generators ----

  /**
   * One batch: {@value #PER_TOPIC} records for each of {@code topics}, in turn, each drawn from the generator for
   * its topic ({@code valid} holds each topic's valid messages; {@code others} every topic's).
   */
  static Gen<List<Input>> batch(List<String> topics, Map<String, List<JsonNode>> valid, List<JsonNode> others) {
    List<Gen<Input>> slots = new ArrayList<>();
    for (int round = 0; round < PER_TOPIC; round++) {
      for (String topic : topics) {
        slots.add(inputs(topic, valid.get(topic), others));
      }
    }
    return in -> {
      List<Input> out = new ArrayList<>(slots.size());
      for (Gen<Input> slot : slots) {
        out.add(slot.generate(in));
      }
      return out;
    };
  }

  /** Records for {@code topic}, whose valid messages are {@code valid}; {@code others} are every topic's. */
  static Gen<Input> inputs(String topic, List<JsonNode> valid, List<JsonNode> others) {
    Gen<byte[]> values = weighted(
        w(6, mutated(valid).map(RecordFuzzIT::bytes)),
        w(3, mutated(valid).map(RecordFuzzIT::bytes).flatMap(RecordFuzzIT::truncated)),
        w(2, pick(others).map(RecordFuzzIT::bytes)),
        w(2, pick(List.of("null", "[]", "{}", "0", "-1e999", "\"x\"", "true", "{\"a\":", "\uFEFF{}",
            "{\"id\":{\"id\":{}}}")).map(s -> s.getBytes(StandardCharsets.UTF_8))),
        w(3, randomBytes(0, 4096)),
        w(1, Generate.constant((byte[]) null)),
        w(1, hugeValues()));
    Gen<byte[]> keys = weighted(
        w(4, text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_.", 1, 40)),
        w(2, Generate.constant((byte[]) null)),
        w(1, randomBytes(0, 2048)),
        w(1, anyText(64)));
    return keys.zip(values, (key, value) -> new Input(topic, key, value));
  }

  /** UTF-8 of {@code min} to {@code max} characters from {@code chars}. */
  static Gen<byte[]> text(String chars, int min, int max) {
    return Generate.rangeWithNoShrinkPoint(min, max).zip(seeds(), (n, seed) -> {
      SplittableRandom r = new SplittableRandom(seed);
      StringBuilder s = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        s.append(chars.charAt(r.nextInt(chars.length())));
      }
      return s.toString().getBytes(StandardCharsets.UTF_8);
    });
  }

  /** UTF-8 of up to {@code max} UTF-16 units of any value: controls, non-ASCII, lone surrogates (sent as '?'). */
  static Gen<byte[]> anyText(int max) {
    return Generate.rangeWithNoShrinkPoint(0, max).zip(seeds(), (n, seed) -> {
      SplittableRandom r = new SplittableRandom(seed);
      StringBuilder s = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        s.append((char) r.nextInt(0x10000));
      }
      return s.toString().getBytes(StandardCharsets.UTF_8);
    });
  }

  /** Values from 512 KiB to the broker's limit: random bytes, or a valid message padded with spaces. */
  static Gen<byte[]> hugeValues() {
    return Generate.rangeWithNoShrinkPoint(512 * 1024, FarmUnderFire.BROKER_LIMIT_VALUE).zip(seeds(), (size, seed) -> {
      byte[] value = new byte[size];
      SplittableRandom r = new SplittableRandom(seed);
      if (r.nextBoolean()) {
        r.nextBytes(value);
      } else {
        Arrays.fill(value, (byte) ' ');
        byte[] head = "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8,\"id\":\"h\""
            .getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, value, 0, head.length);
        value[size - 1] = '}';
      }
      return value;
    });
  }

  /** A valid message with one to three mutations. */
  static Gen<JsonNode> mutated(List<JsonNode> valid) {
    return pick(valid).zip(Generate.rangeWithNoShrinkPoint(1, 3), seeds(), (base, n, seed) -> {
      JsonNode copy = base.deepCopy();
      SplittableRandom r = new SplittableRandom(seed);
      for (int i = 0; i < n; i++) {
        copy = mutate(copy, r);
      }
      return copy;
    });
  }

  /** One mutation somewhere in the tree: a field dropped or given a value of the wrong type or an odd one. */
  static JsonNode mutate(JsonNode root, SplittableRandom r) {
    List<ObjectNode> objects = new ArrayList<>();
    collect(root, objects);
    if (objects.isEmpty()) {
      return oddValue(r);
    }
    ObjectNode target = objects.get(r.nextInt(objects.size()));
    List<String> names = new ArrayList<>();
    target.fieldNames().forEachRemaining(names::add);
    if (names.isEmpty()) {
      target.set("unexpected", oddValue(r));
      return root;
    }
    String name = names.get(r.nextInt(names.size()));
    switch (r.nextInt(3)) {
      case 0 -> target.remove(name);
      case 1 -> target.set(name, oddValue(r));
      default -> target.set(r.nextBoolean() ? name : name + "X", target.get(name).isTextual()
          ? NODES.textNode(oddString(r)) : oddValue(r));
    }
    return root;
  }

  private static void collect(JsonNode node, List<ObjectNode> out) {
    if (node instanceof ObjectNode o) {
      out.add(o);
    }
    for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
      collect(it.next(), out);
    }
  }

  /** Values of the wrong type, or at the edges of their type; never a large valid size (no real work). */
  static JsonNode oddValue(SplittableRandom r) {
    return switch (r.nextInt(10)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(r.nextBoolean());
      case 2 -> NODES.numberNode(-1);
      case 3 -> NODES.numberNode(0);
      case 4 -> NODES.numberNode(new java.math.BigInteger("99999999999999999999999"));
      case 5 -> NODES.numberNode(Double.NaN);
      case 6 -> NODES.textNode(oddString(r));
      case 7 -> NODES.objectNode().put("nested", oddString(r));
      case 8 -> {
        ArrayNode a = NODES.arrayNode();
        a.add(1).add("two").addNull();
        yield a;
      }
      default -> NODES.numberNode(2147483648L);
    };
  }

  static String oddString(SplittableRandom r) {
    String[] odd = {"", " ", "../../etc/passwd", "s3://other-bucket/secret.png", "s3://", "\u0000", "\uD800",
        "é".repeat(300), "x".repeat(70_000), "fuzz-valid-0", "%s%n", "${jndi:ldap://x}"};
    return odd[r.nextInt(odd.length)];
  }

  static byte[] bytes(JsonNode node) {
    try {
      return Json.MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bytes cut at any position (possibly inside a UTF-8 sequence). */
  static Gen<byte[]> truncated(byte[] bytes) {
    return Generate.rangeWithNoShrinkPoint(0, Math.max(0, bytes.length - 1)).map(n -> Arrays.copyOf(bytes, n));
  }
}
