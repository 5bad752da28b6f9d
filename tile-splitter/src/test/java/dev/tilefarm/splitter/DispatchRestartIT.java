package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.JobLimits;
import dev.tilefarm.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher's queue survives the splitter: a job's tasks are released a window at a time, the splitter is
 * stopped, another starts on an empty state directory (restoring from the changelogs, as after a fail-over), and
 * the results of the released tasks release the rest: every task exactly once, none lost, none twice. Tasks
 * handed back while their job is paused are in the restored queue too.
 */
class DispatchRestartIT {
  @TempDir
  Path dir;

  @Test
  void aSplitterStartedOnEmptyStateGoesOnReleasingWhereTheLastOneStopped() throws Exception {
    try (TestStack stack = TestStack.start(dir, "key", "secret-key", "farm")) {
      Topics topics = new Topics("r.");
      SplitterConfig config = config(stack, topics);
      TileSplitter first = TileSplitter.start(config, stack.blobs());
      first.awaitRunning(Duration.ofMinutes(2));
      int tiles = 40;
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
          ClientProperties.PRODUCER.of(stack.bootstrapServers(), Map.of(), Map.of()), new StringSerializer(),
          new ByteArraySerializer());
          KafkaConsumer<String, byte[]> tasks = taskReader(stack, topics)) {
        send(producer, topics.jobs().name(), "r1", "{\"id\":\"r1\",\"type\":\"render\","
            + "\"renderer\":\"mandelbrot\",\"width\":" + 64 * tiles + ",\"height\":64}");
        // No worker has a heartbeat: the lane's window is the least one.
        List<TileTask> released = read(tasks, topics, WorkerDirectory.MIN_WINDOW);
        first.close();

        TileSplitter second = TileSplitter.start(new SplitterConfig(config.bootstrapServers(), topics,
            config.layout(), dir.resolve("state-b"), config.limits(), config.commitInterval(), Map.of()),
            stack.blobs());
        try {
          second.awaitRunning(Duration.ofMinutes(2));
          List<TileTask> all = new ArrayList<>(released);
          int settled = 0;
          while (all.size() < tiles) {
            for (TileTask t : all.subList(settled, all.size())) {
              result(producer, topics, done(t));
            }
            int out = all.size() - settled;
            settled = all.size();
            all.addAll(read(tasks, topics, Math.min(out, tiles - all.size())));
          }
          TreeSet<Integer> indexes = new TreeSet<>();
          all.forEach(t -> indexes.add(t.tile().index()));
          assertEquals(tiles, indexes.size(), "every tile released once: " + indexes);
          assertEquals(tiles - 1, indexes.last());
          Thread.sleep(2_000);
          assertEquals(List.of(), read(tasks, topics, 0), "nothing released twice");
        } finally {
          second.close();
        }
      }
    }
  }

  /**
   * Tasks a worker handed back while their job was paused are in the queue the next splitter restores: on resume
   * they go out first, each once, and with the rest every tile is released once more than it was handed back.
   */
  @Test
  void tasksHandedBackBeforeARestartGoOutOnceOnResume() throws Exception {
    try (TestStack stack = TestStack.start(dir, "key", "secret-key", "farm")) {
      Topics topics = new Topics("h.");
      SplitterConfig config = config(stack, topics);
      TileSplitter first = TileSplitter.start(config, stack.blobs());
      first.awaitRunning(Duration.ofMinutes(2));
      int tiles = 20;
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
          ClientProperties.PRODUCER.of(stack.bootstrapServers(), Map.of(), Map.of()), new StringSerializer(),
          new ByteArraySerializer());
          KafkaConsumer<String, byte[]> tasks = taskReader(stack, topics)) {
        send(producer, topics.jobs().name(), "h1", "{\"id\":\"h1\",\"type\":\"render\","
            + "\"renderer\":\"mandelbrot\",\"width\":" + 64 * tiles + ",\"height\":64}");
        List<TileTask> released = read(tasks, topics, WorkerDirectory.MIN_WINDOW);
        send(producer, topics.jobs().name(), "h1", "{\"pause\":\"h1\"}");
        Thread.sleep(2_000);
        List<TileTask> handedBack = released.subList(0, 3);
        for (TileTask t : handedBack) {
          result(producer, topics, TileResult.Returned.of(t, "w1"));
        }
        assertEquals(List.of(), read(tasks, topics, 0), "a paused job's handed-back tasks wait");
        first.close();

        TileSplitter second = TileSplitter.start(new SplitterConfig(config.bootstrapServers(), topics,
            config.layout(), dir.resolve("state-b"), config.limits(), config.commitInterval(), Map.of()),
            stack.blobs());
        try {
          second.awaitRunning(Duration.ofMinutes(2));
          send(producer, topics.jobs().name(), "h1", "{\"resume\":\"h1\"}");
          // Three tasks' room was freed by the hand-backs: exactly those three go out again.
          List<TileTask> again = read(tasks, topics, handedBack.size());
          assertEquals(indexes(handedBack), indexes(again), "the handed-back tasks, first and once");
          List<TileTask> all = new ArrayList<>(released.subList(handedBack.size(), released.size()));
          all.addAll(again);
          int settled = 0;
          while (all.size() < tiles) {
            for (TileTask t : all.subList(settled, all.size())) {
              result(producer, topics, done(t));
            }
            int out = all.size() - settled;
            settled = all.size();
            all.addAll(read(tasks, topics, Math.min(out, tiles - all.size())));
          }
          assertEquals(tiles, indexes(all).size(), "every tile released once besides its hand-back: " + indexes(all));
          Thread.sleep(2_000);
          assertEquals(List.of(), read(tasks, topics, 0), "nothing released twice");
        } finally {
          second.close();
        }
      }
    }
  }

  private SplitterConfig config(TestStack stack, Topics topics) {
    return new SplitterConfig(stack.bootstrapServers(), topics, new TopicLayout(2, Map.of(), (short) -1),
        dir.resolve("state-a"), new JobLimits(1 << 24, 1000, 64), SplitterConfig.DEFAULT_COMMIT_INTERVAL, Map.of());
  }

  /** A reader of the task topic from its start. */
  private static KafkaConsumer<String, byte[]> taskReader(TestStack stack, Topics topics) {
    KafkaConsumer<String, byte[]> tasks = new KafkaConsumer<>(ClientProperties.CONSUMER.of(stack.bootstrapServers(),
        Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), Map.of()), new StringDeserializer(),
        new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    tasks.partitionsFor(topics.tileTasks().name()).forEach(p -> parts.add(new TopicPartition(p.topic(),
        p.partition())));
    tasks.assign(parts);
    tasks.seekToBeginning(parts);
    return tasks;
  }

  private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, String json)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key, json.getBytes(StandardCharsets.UTF_8))).get();
  }

  private static TreeSet<Integer> indexes(List<TileTask> tasks) {
    TreeSet<Integer> out = new TreeSet<>();
    tasks.forEach(t -> out.add(t.tile().index()));
    return out;
  }

  private static TileResult done(TileTask t) {
    return new TileResult.Done(t.jobId(), t.tile(), t.tileCount(), t.imageWidth(), t.imageHeight(), t.output(),
        t.tileUri(), 3, 10, "0".repeat(64), 5, "w1", t.acceptedAt(), null, null, null, null, null, null);
  }

  private static void result(KafkaProducer<String, byte[]> producer, Topics topics, TileResult result)
      throws Exception {
    producer.send(new ProducerRecord<>(topics.tileResults().name(), result.jobId(),
        topics.tileResults().valueSerde().serializer().serialize(topics.tileResults().name(), result))).get();
  }

  /** Exactly {@code n} tasks from the task topic (waiting for them), or fails: more came, or too few. */
  private static List<TileTask> read(KafkaConsumer<String, byte[]> consumer, Topics topics, int n)
      throws InterruptedException {
    List<TileTask> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(n == 0 ? 1 : 60).toNanos();
    while (System.nanoTime() < deadline && out.size() < Math.max(n, 1)) {
      for (var r : consumer.poll(Duration.ofMillis(200))) {
        out.add(topics.tileTasks().valueSerde().deserializer().deserialize(r.topic(), r.value()));
      }
    }
    // A little longer: a window released too wide would show here.
    for (int i = 0; i < 5; i++) {
      for (var r : consumer.poll(Duration.ofMillis(200))) {
        out.add(topics.tileTasks().valueSerde().deserializer().deserialize(r.topic(), r.value()));
      }
    }
    assertEquals(n, out.size(), "tasks released");
    return out;
  }
}
