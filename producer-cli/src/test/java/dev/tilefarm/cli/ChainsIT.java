package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.TileRanges;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dependencies, job: inputs and retries on the embedded farm (real broker, real S3 server). */
class ChainsIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir, 2);
  }

  @AfterAll
  static void stop() {
    farm.close();
  }

  private static String mandelbrot(String id, int side, int iterations, String extra) {
    return "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":" + side + ",\"height\":"
        + side + ",\"tileSize\":32,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":4000,\"iterations\":" + iterations
        + "}" + extra + "}";
  }

  @Test
  void aRenderThenProcessChainIsOneBatchOfTwoJobs() throws Exception {
    // The process job first: it comes in before the render it takes as input has even been split.
    ObjectNode grey = TestFarm.json("{\"id\":\"chain-grey\",\"type\":\"process\",\"input\":\"job:chain-render\","
        + "\"ops\":[{\"op\":\"grayscale\"}]}");
    ObjectNode render = TestFarm.json(mandelbrot("chain-render", 192, 3000, ""));
    Map<String, JobEvent> ends = farm.run(grey, render);
    JobEvent.Completed r = assertInstanceOf(JobEvent.Completed.class, ends.get("chain-render"));
    JobEvent.Completed g = assertInstanceOf(JobEvent.Completed.class, ends.get("chain-grey"));
    try (JobClient client = new JobClient(farm.farm.settings())) {
      List<JobEvent> history = client.history("chain-grey");
      JobEvent.Waiting waiting = assertInstanceOf(JobEvent.Waiting.class, history.get(0), history.toString());
      assertEquals(List.of("chain-render"), waiting.waitingOn());
      assertEquals(50, waiting.priority(), "WAITING carries the job's (default) priority");
      assertNull(waiting.attempt(), "a first run's WAITING has no attempt");
      JobEvent.Accepted accepted = (JobEvent.Accepted) history.stream().filter(e -> e instanceof JobEvent.Accepted)
          .findFirst().orElseThrow();
      assertTrue(accepted.timestamp() >= r.timestamp(), "the process job was planned after the render completed");
    }
    BufferedImage out = farm.image(g);
    BufferedImage in = farm.image(r);
    assertEquals(in.getWidth(), out.getWidth());
    assertEquals(in.getHeight(), out.getHeight());
    int distinct = 0;
    int first = out.getRGB(0, 0);
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        int p = out.getRGB(x, y);
        int red = (p >> 16) & 0xff;
        int green = (p >> 8) & 0xff;
        int blue = p & 0xff;
        assertTrue(red == green && green == blue, "pixel " + x + "," + y + " is grey");
        distinct += p != first ? 1 : 0;
      }
    }
    assertTrue(distinct > 0, "the grey image is the render's, not a blank one");
  }

  /**
   * The reviewer's c4-dep: cancelled with the job it waits for, both retried; the dependent job's second run waits
   * again, and its WAITING says so (attempt 2, its priority), as does {@code tilefarm jobs}: not "CANCELLED on c4".
   */
  @Test
  void aRetriedJobWaitsAgainAsItsNextAttempt() throws Exception {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      var from = client.eventPositions();
      client.submit(TestFarm.json(mandelbrot("c4", 1024, 20000, "")));
      client.submit(TestFarm.json(mandelbrot("c4-dep", 64, 100, ",\"after\":[\"c4\"],\"priority\":70")));
      client.await(List.of("c4-dep"), Set.of(), from, TestFarm.TIMEOUT, e -> { }, e -> e instanceof JobEvent.Waiting);
      client.cancel("c4", "stop for now");
      Map<String, JobEvent> ends = client.await(List.of("c4", "c4-dep"), Set.of(), from, TestFarm.TIMEOUT, e -> { });
      assertInstanceOf(JobEvent.Cancelled.class, ends.get("c4-dep"));

      var retried = client.eventPositions();
      client.retry("c4");
      // Tiles of its second run are in: the splitters know it runs again (from the job-control topic) by now.
      client.await(List.of("c4"), Set.of(), retried, TestFarm.TIMEOUT, e -> { }, e -> e instanceof JobEvent.Progress);
      client.retry("c4-dep");
      JobEvent.Waiting again = assertInstanceOf(JobEvent.Waiting.class, client.await(List.of("c4-dep"), Set.of(),
          retried, TestFarm.TIMEOUT, e -> { }, e -> e instanceof JobEvent.Waiting || e.terminal()).get("c4-dep"));
      assertEquals(2, again.attempt());
      assertEquals(70, again.priority());
      assertEquals(List.of("c4"), again.waitingOn());
      JobStates.JobState shown = client.states().get("c4-dep");
      assertEquals("WAITING on c4 (attempt 2)", shown.statusLine());
      assertEquals(70, shown.priority());

      client.cancel("c4", "done with the test");
      client.await(List.of("c4", "c4-dep"), Set.of(), retried, TestFarm.TIMEOUT, e -> { });
    }
  }

  @Test
  void aFailedJobFailsTheJobsAfterItNamingEachLink() throws Exception {
    ObjectNode a = TestFarm.json(mandelbrot("link-a", 1024, 20000, ",\"timeLimit\":1"));
    ObjectNode b = TestFarm.json(mandelbrot("link-b", 64, 100, ",\"after\":[\"link-a\"]"));
    ObjectNode c = TestFarm.json(mandelbrot("link-c", 64, 100, ",\"after\":[\"link-b\"]"));
    Map<String, JobEvent> ends = farm.run(c, b, a);
    assertTrue(assertInstanceOf(JobEvent.Failed.class, ends.get("link-a")).reason()
        .startsWith("the job's time limit ran out"));
    assertEquals("job 'link-a', which this job waits for, FAILED",
        assertInstanceOf(JobEvent.Failed.class, ends.get("link-b")).reason());
    assertEquals("job 'link-b', which this job waits for, FAILED",
        assertInstanceOf(JobEvent.Failed.class, ends.get("link-c")).reason());
  }

  @Test
  void jobsWaitingForEachOtherAndUnknownIdsAreReported() throws Exception {
    ObjectNode x = TestFarm.json(mandelbrot("cycle-x", 64, 100, ",\"after\":[\"cycle-y\"]"));
    ObjectNode y = TestFarm.json(mandelbrot("cycle-y", 64, 100, ",\"after\":[\"cycle-x\"]"));
    ObjectNode typo = TestFarm.json(mandelbrot("after-typo", 64, 100, ",\"after\":[\"no-such-job\"]"));
    long start = System.nanoTime();
    Map<String, JobEvent> ends = farm.run(x, y, typo);
    JobEvent.Failed fx = assertInstanceOf(JobEvent.Failed.class, ends.get("cycle-x"));
    JobEvent.Failed fy = assertInstanceOf(JobEvent.Failed.class, ends.get("cycle-y"));
    assertTrue(fx.reason().contains("in a cycle: ") || fy.reason().contains("in a cycle: "),
        fx.reason() + " / " + fy.reason());
    JobEvent.Failed ft = assertInstanceOf(JobEvent.Failed.class, ends.get("after-typo"));
    assertEquals("after: job 'no-such-job' is not known to the farm: nothing under that id was accepted within 30 s "
        + "of this job (it was never submitted, was rejected, or ended too long ago)", ft.reason());
    assertTrue(System.nanoTime() - start >= Duration.ofSeconds(30).toNanos(), "the unknown id had its grace");
  }

  @Test
  void aCancelledJobIsRetriedMakingOnlyTheTilesItLacked() throws Exception {
    String id = "retry-me";
    String job = mandelbrot(id, 256, 8000, "");
    int tiles = 64;
    try (JobClient client = new JobClient(farm.farm.settings());
        KafkaConsumer<String, byte[]> tasks = consumer(farm.farm.settings().topics().tileTasks().name());
        KafkaConsumer<String, byte[]> control = consumer(farm.farm.settings().topics().jobControl().name())) {
      var from = client.eventPositions();
      client.submit(TestFarm.json(job));
      CountDownLatch progressed = new CountDownLatch(1);
      Thread canceller = new Thread(() -> {
        try {
          progressed.await();
          client.cancel(id, "try again later");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      canceller.start();
      try (JobClient watcher = new JobClient(farm.farm.settings())) {
        Map<String, JobEvent> ends = watcher.await(List.of(id), Set.of(), from, TestFarm.TIMEOUT, e -> {
          if (e instanceof JobEvent.Progress p && p.done() > 0) {
            progressed.countDown();
          }
        });
        assertInstanceOf(JobEvent.Cancelled.class, ends.get(id));
      }
      canceller.join();
      JobControl.Ended cancelled = (JobControl.Ended) awaitControl(control, id, c -> c instanceof JobControl.Ended);
      int kept = TileRanges.parse(cancelled.keptTiles()).cardinality();
      assertTrue(kept > 0 && kept < tiles, "kept " + cancelled.keptTiles());
      assertTrue(farm.farm.blobs().list("tilefarm", "tiles/" + id + "/").size() >= kept,
          "the kept tiles are still in storage");

      // A job that is running cannot be retried: RETRY_REFUSED, and it goes on to complete.
      var before = client.eventPositions();
      client.submit(TestFarm.json(mandelbrot("busy", 256, 4000, "")));
      client.await(List.of("busy"), Set.of(), before, TestFarm.TIMEOUT, e -> { }, e -> e instanceof JobEvent.Accepted);
      client.retry("busy");
      Map<String, JobEvent> busy = client.await(List.of("busy"), Set.of(), before, TestFarm.TIMEOUT, e -> { },
          e -> e instanceof JobEvent.RetryRefused || e.terminal());
      JobEvent.RetryRefused refused = assertInstanceOf(JobEvent.RetryRefused.class, busy.get("busy"));
      assertEquals("job 'busy' is RUNNING; only a FAILED or CANCELLED job can be retried", refused.reason());
      assertInstanceOf(JobEvent.Completed.class,
          client.await(List.of("busy"), Set.of(), before, TestFarm.TIMEOUT, e -> { }).get("busy"));

      var retried = client.eventPositions();
      client.retry(id);
      Map<String, JobEvent> ends = client.await(List.of(id), Set.of(), retried, TestFarm.TIMEOUT, e -> { });
      JobEvent.Completed done = assertInstanceOf(JobEvent.Completed.class, ends.get(id));
      assertEquals(2, done.attempt());
      List<JobEvent> history = client.history(id);
      JobEvent.Accepted second = (JobEvent.Accepted) history.stream()
          .filter(e -> e instanceof JobEvent.Accepted a && a.attempt() != null).findFirst().orElseThrow();
      assertEquals(2, second.attempt());
      assertNull(((JobEvent.Accepted) history.get(0)).attempt(), "the first run's ACCEPTED has no attempt");
      // Tasks made for the second run: those of its acceptedAt, only for the tiles not kept.
      int made = 0;
      for (TileTask t : tasksOf(tasks, id)) {
        made += t.acceptedAt() == second.timestamp() ? 1 : 0;
      }
      assertEquals(tiles - kept, made, "tasks of attempt 2");
      // The image is the one a run from scratch makes.
      JobEvent.Completed fresh = assertInstanceOf(JobEvent.Completed.class,
          farm.runOne(TestFarm.json(mandelbrot("retry-me-fresh", 256, 8000, ""))));
      assertEquals(fresh.sha256(), done.sha256());
    }
  }

  /**
   * A cancelled job and the job after it (cancelled with it) retried back to back: the dependent's retry comes before
   * the farm's job outcomes show the parent's new run, yet it waits for that run instead of ending on the old end.
   */
  @Test
  void aParentAndItsDependentRetriedBackToBackRunAgainInOrder() throws Exception {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      var from = client.eventPositions();
      client.submit(TestFarm.json(mandelbrot("c6", 128, 20000, "")));
      client.submit(TestFarm.json(mandelbrot("c6-dep", 64, 100, ",\"after\":[\"c6\"]")));
      client.await(List.of("c6"), Set.of(), from, TestFarm.TIMEOUT, e -> { }, e -> e instanceof JobEvent.Accepted);
      client.cancel("c6", "stop for now");
      Map<String, JobEvent> ends = client.await(List.of("c6", "c6-dep"), Set.of(), from, TestFarm.TIMEOUT, e -> { });
      assertInstanceOf(JobEvent.Cancelled.class, ends.get("c6"));
      assertEquals("job 'c6', which this job waits for, was CANCELLED",
          assertInstanceOf(JobEvent.Cancelled.class, ends.get("c6-dep")).reason());

      var retried = client.eventPositions();
      client.retry("c6");
      Thread.sleep(27);
      client.retry("c6-dep");
      Map<String, JobEvent> again = client.await(List.of("c6", "c6-dep"), Set.of(), retried, TestFarm.TIMEOUT,
          e -> { });
      assertEquals(2, assertInstanceOf(JobEvent.Completed.class, again.get("c6")).attempt());
      JobEvent.Completed dep = assertInstanceOf(JobEvent.Completed.class, again.get("c6-dep"), again.toString());
      assertEquals(2, dep.attempt());
      List<JobEvent> history = client.history("c6-dep");
      JobEvent.Waiting waited = (JobEvent.Waiting) history.stream().filter(e -> e instanceof JobEvent.Waiting)
          .reduce((x, y) -> y).orElseThrow();
      assertEquals(List.of("c6"), waited.waitingOn(), "the retry waits again: " + history);
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(String topic) {
    Settings s = farm.farm.settings();
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  private static JobControl awaitControl(KafkaConsumer<String, byte[]> c, String id,
      java.util.function.Predicate<JobControl> wanted) {
    Topics topics = farm.farm.settings().topics();
    long deadline = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
        if (id.equals(r.key())) {
          JobControl control = topics.jobControl().valueSerde().deserializer().deserialize(r.topic(), r.value());
          if (wanted.test(control)) {
            return control;
          }
        }
      }
    }
    throw new AssertionError("no such control record of " + id);
  }

  /** Every task of job {@code id} on the tasks topic so far. */
  private static List<TileTask> tasksOf(KafkaConsumer<String, byte[]> c, String id) {
    Topics topics = farm.farm.settings().topics();
    List<TileTask> out = new ArrayList<>();
    int emptyPolls = 0;
    while (emptyPolls < 5) {
      var records = c.poll(Duration.ofMillis(300));
      emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
      for (ConsumerRecord<String, byte[]> r : records) {
        if (r.key() != null && r.key().startsWith(id + "/")) {
          out.add(topics.tileTasks().valueSerde().deserializer().deserialize(r.topic(), r.value()));
        }
      }
    }
    return out;
  }
}
