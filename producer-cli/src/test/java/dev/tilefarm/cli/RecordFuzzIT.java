package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.trigger.UploadTrigger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.Example;

/**
 * Generated and mutated records on every topic a role consumes, in batches, each batch followed by a valid
 * job that must complete, with no role down and /healthz UP. The records come from jqwik arbitraries driven
 * by a fixed seed, so a run is repeatable: valid messages of the topic (the schemas' examples) with fields
 * dropped, re-typed or set to odd strings, truncated at any byte; messages of another topic; JSON that is no
 * object; random bytes; no key, no value or a key of random bytes; now and then a value near the broker's
 * size limit.
 *
 * <p>A jqwik {@link Example} (one run, on jqwik's thread, where its generators work) rather than a
 * {@code @Property}: the farm takes seconds to start, so it starts once and the batches are drawn in a loop,
 * with a seed of their own. {@code -Dfuzz.tries=N} runs N batches (default {@value #DEFAULT_BATCHES}); {@code -Dfuzz.seed=S} another
 * seed.
 */
class RecordFuzzIT {
  static final int DEFAULT_BATCHES = 6;
  static final int RECORDS_PER_BATCH = 18;
  private static final Path EXAMPLES = Path.of("../schemas/src/main/resources/schemas/examples");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** One generated record: its key and value (either may be null). */
  record Input(byte[] key, byte[] value) {}

  @Example
  void everyConsumerSurvivesGeneratedRecordsAndEveryValidJobCompletes() throws Exception {
    Path dir = Files.createTempDirectory("record-fuzz");
    int batches = Integer.getInteger("fuzz.tries", DEFAULT_BATCHES);
    long seed = Long.getLong("fuzz.seed", 14);
    Random random = new Random(seed);
    try (FarmUnderFire f = new FarmUnderFire(dir)) {
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
      valid.put(t.prefix() + UploadTrigger.TOPIC, examples("s3-event"));
      List<JsonNode> everything = valid.values().stream().flatMap(List::stream).toList();
      List<String> topics = f.consumedTopics();

      int tried = 0;
      int huge = 0;
      int refused = 0;
      for (int b = 0; b < batches; b++) {
        for (int i = 0; i < RECORDS_PER_BATCH; i++) {
          String topic = topics.get((b * RECORDS_PER_BATCH + i) % topics.size());
          Input input = inputs(valid.get(topic), everything).generator(1000).next(random).value();
          if (!f.publish(topic, input.key(), input.value())) {
            refused++;
            continue;
          }
          tried++;
          if (input.value() != null && input.value().length > 512 * 1024) {
            huge++;
          }
        }
        f.validJobCompletes("fuzz-valid-" + b);
        assertTrue(f.down().isEmpty(), "after batch " + b + ": " + f.down());
        var health = f.health();
        assertEquals(200, health.statusCode(), "after batch " + b + ": " + health.body());
      }
      System.out.printf("record fuzz (seed %d): %d inputs tried (%d near the size limit; %d more refused by the "
          + "broker) on %d topics, %d valid jobs completed, roles crashed 0, jobs lost 0%n", seed, tried, huge, refused,
          topics.size(), batches);
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
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

  /** Records for a topic whose valid messages are {@code valid}; {@code others} are every topic's. */
  static Arbitrary<Input> inputs(List<JsonNode> valid, List<JsonNode> others) {
    Arbitrary<byte[]> values = Arbitraries.frequencyOf(
        Tuple.of(6, mutated(valid).map(RecordFuzzIT::bytes)),
        Tuple.of(3, mutated(valid).map(RecordFuzzIT::bytes).flatMap(RecordFuzzIT::truncated)),
        Tuple.of(2, Arbitraries.of(others).map(RecordFuzzIT::bytes)),
        Tuple.of(2, Arbitraries.of("null", "[]", "{}", "0", "-1e999", "\"x\"", "true", "{\"a\":", "\uFEFF{}",
            "{\"id\":{\"id\":{}}}").map(s -> s.getBytes(StandardCharsets.UTF_8))),
        Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(4096)),
        Tuple.of(1, Arbitraries.just((byte[]) null)),
        Tuple.of(1, hugeValues()));
    Arbitrary<byte[]> keys = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.strings().alpha().numeric().withChars("-/_.").ofMinLength(1).ofMaxLength(40)
            .map(s -> s.getBytes(StandardCharsets.UTF_8))),
        Tuple.of(2, Arbitraries.just((byte[]) null)),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(2048)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(64).map(s -> s.getBytes(StandardCharsets.UTF_8))));
    return Combinators.combine(keys, values).as(Input::new);
  }

  /** Values from 512 KiB to the broker's limit: random bytes, or a valid message padded with spaces. */
  static Arbitrary<byte[]> hugeValues() {
    return Arbitraries.integers().between(512 * 1024, FarmUnderFire.BROKER_LIMIT_VALUE).flatMap(size ->
        Arbitraries.longs().map(seed -> {
          byte[] value = new byte[size];
          Random r = new Random(seed);
          if (r.nextBoolean()) {
            r.nextBytes(value);
          } else {
            java.util.Arrays.fill(value, (byte) ' ');
            byte[] head = "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8,\"id\":\"h\""
                .getBytes(StandardCharsets.UTF_8);
            System.arraycopy(head, 0, value, 0, head.length);
            value[size - 1] = '}';
          }
          return value;
        }));
  }

  /** A valid message with one to three mutations. */
  static Arbitrary<JsonNode> mutated(List<JsonNode> valid) {
    return Arbitraries.of(valid).flatMap(base -> Arbitraries.integers().between(1, 3).flatMap(n ->
        Arbitraries.longs().map(seed -> {
          JsonNode copy = base.deepCopy();
          Random r = new Random(seed);
          for (int i = 0; i < n; i++) {
            copy = mutate(copy, r);
          }
          return copy;
        })));
  }

  /** One mutation somewhere in the tree: a field dropped or given a value of the wrong type or an odd one. */
  static JsonNode mutate(JsonNode root, Random r) {
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
  static JsonNode oddValue(Random r) {
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

  static String oddString(Random r) {
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
  static Arbitrary<byte[]> truncated(byte[] bytes) {
    return Arbitraries.integers().between(0, Math.max(0, bytes.length - 1))
        .map(n -> java.util.Arrays.copyOf(bytes, n));
  }
}
