package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobSchedule;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Priorities, fair share, pause and resume on a real embedded farm (broker, S3 server, splitter, compositor, two
 * workers): what a user sees through the events, the tile results and the CLI.
 */
class SchedulingIT {
  @TempDir
  static Path dir;
  static TestFarm farm;
  static Follower follower;
  static JobClient client;

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir, 2);
    farm.farm.advertise();
    follower = new Follower(farm.farm.settings());
    client = new JobClient(farm.farm.settings());
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (follower != null) {
      follower.close();
    }
    if (farm != null) {
      farm.close();
    }
  }

  /**
   * A mandelbrot job of {@code tiles} 64 x 64 tiles, all of whose pixels are inside the set, so each costs its
   * full iterations (some 50 ms on a quiet core): a big job keeps the workers busy for minutes.
   */
  private static String job(String id, int tiles, Integer priority) {
    int columns = Math.min(tiles, 40);
    int rows = (tiles + columns - 1) / columns;
    if (columns * rows != tiles) {
      throw new IllegalArgumentException(tiles + " tiles are no grid of at most 40 columns");
    }
    return "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":" + 64 * columns
        + ",\"height\":" + 64 * rows + ",\"tileSize\":64,\"scene\":{\"center\":[-0.1,0],\"zoom\":50,"
        + "\"iterations\":1500}" + (priority == null ? "" : ",\"priority\":" + priority) + "}";
  }

  /** A job id like {@code base-N} whose record lands on the same partition of the jobs topic as {@code other}'s. */
  private static String samePartitionAs(String other, String base) {
    int partitions = farm.farm.settings().layout().defaultPartitions();
    int target = partitionOf(other, partitions);
    for (int i = 0; ; i++) {
      String id = base + "-" + i;
      if (partitionOf(id, partitions) == target) {
        return id;
      }
    }
  }

  private static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Submits a big job and waits until its tiles are being made. */
  private static String bigJob(String id, Integer priority) throws Exception {
    client.submit(TestFarm.json(job(id, 2000, priority)));
    follower.await(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(id), Duration.ofSeconds(60));
    return id;
  }

  private static void cancel(String id) throws Exception {
    client.cancel(id, "the test is done with it");
    follower.await(r -> r.value() instanceof JobEvent e && e.jobId().equals(id) && e.terminal(),
        Duration.ofSeconds(60));
  }

  @Test
  void aHighPriorityJobJumpsTheQueueAndFinishesFirst() throws Exception {
    String low = bigJob("queue-low", null);
    long submitted = System.nanoTime();
    client.submit(TestFarm.json(job("queue-high", 16, 90)));
    Follower.Seen first = follower.await(r -> r.value() instanceof TileResult.Done d
        && d.jobId().equals("queue-high"), Duration.ofSeconds(60));
    double firstTileSeconds = (first.at() - submitted) / 1e9;
    Follower.Seen end = follower.await(r -> r.value() instanceof JobEvent e && e.jobId().equals("queue-high")
        && e.terminal(), Duration.ofSeconds(120));
    System.out.printf("priority 90 beside a 2000-tile job: first tile done after %.2f s, completed after %.2f s%n",
        firstTileSeconds, (end.at() - submitted) / 1e9);
    assertInstanceOf(JobEvent.Completed.class, end.value());
    assertTrue(firstTileSeconds < 2, "the first tile of the priority-90 job was done only after " + firstTileSeconds
        + " s");
    assertFalse(follower.any(r -> r.value() instanceof JobEvent e && e.jobId().equals(low) && e.terminal()),
        "the lower job is still running");
    assertEquals(50, ((JobEvent.Accepted) follower.await(r -> r.value() instanceof JobEvent.Accepted a
        && a.jobId().equals(low), Duration.ZERO).value()).priority());
    cancel(low);
  }

  @Test
  void aOneTileJobCompletesWithinSecondsBesideABigJobOfItsPriority() throws Exception {
    String big = bigJob("share-big", null);
    long submitted = System.nanoTime();
    client.submit(TestFarm.json(job("share-one", 1, null)));
    Follower.Seen end = follower.await(r -> r.value() instanceof JobEvent e && e.jobId().equals("share-one")
        && e.terminal(), Duration.ofSeconds(60));
    double seconds = (end.at() - submitted) / 1e9;
    System.out.printf("one-tile job beside a 2000-tile job of its priority: completed after %.2f s%n", seconds);
    assertInstanceOf(JobEvent.Completed.class, end.value());
    // A few seconds on a quiet machine; this one is shared, and a tile behind the lane's window waits its turn.
    assertTrue(seconds < 8, "the one-tile job took " + seconds + " s");
    long bigDone = follower.count(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(big));
    assertTrue(bigDone < 1000, "first in, first out would have made the big job's 2000 tiles first; it has " + bigDone);
    cancel(big);
  }

  @Test
  void aPausedJobsTilesAreNotTakenUntilItIsResumed() throws Exception {
    String id = "pause-me";
    client.submit(TestFarm.json(job(id, 240, null)));
    follower.await(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(id), Duration.ofSeconds(60));
    Cli pause = Cli.run("pause", id, "--data-dir", dir.toString());
    assertEquals(0, pause.code(), pause.stdout() + pause.stderr());
    assertTrue(pause.stdout().contains(id + " PAUSED"), pause.stdout());
    assertNothingMadeWhilePaused(id, 240);

    Cli status = Cli.run("jobs", "--status", "paused", "--data-dir", dir.toString());
    assertTrue(status.stdout().contains(id), status.stdout());

    Cli resume = Cli.run("resume", id, "--data-dir", dir.toString());
    assertEquals(0, resume.code(), resume.stdout() + resume.stderr());
    assertTrue(resume.stdout().matches("(?s).*" + id + " RESUMED after \\d+ ms.*"), resume.stdout());
    Follower.Seen end = follower.await(r -> r.value() instanceof JobEvent e && e.jobId().equals(id) && e.terminal(),
        Duration.ofSeconds(120));
    assertInstanceOf(JobEvent.Completed.class, end.value());
    List<String> kinds = follower.events(id).stream().map(e -> e.getClass().getSimpleName()).toList();
    assertTrue(kinds.indexOf("Paused") < kinds.indexOf("Resumed") && kinds.indexOf("Resumed") < kinds.indexOf(
        "Completed"), kinds.toString());
  }

  @Test
  void raisingAWaitingJobsPriorityLetsItOvertake() throws Exception {
    // Both on one partition of the jobs topic, where priority is strict: the lower job gets no tile at all.
    String high = bigJob("raise-first", 60);
    String later = samePartitionAs(high, "raise-later");
    client.submit(TestFarm.json(job(later, 20, null)));
    Thread.sleep(3_000);
    assertEquals(0, follower.count(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(later)),
        "a priority-50 job waits while a priority-60 job of its partition has tiles waiting");
    Cli raise = Cli.run("priority", later, "70", "--data-dir", dir.toString());
    assertEquals(0, raise.code(), raise.stdout() + raise.stderr());
    assertTrue(raise.stdout().contains(later + " PRIORITY 70"), raise.stdout());
    Follower.Seen end = follower.await(r -> r.value() instanceof JobEvent e && e.jobId().equals(later)
        && e.terminal(), Duration.ofSeconds(60));
    assertInstanceOf(JobEvent.Completed.class, end.value());
    assertFalse(follower.any(r -> r.value() instanceof JobEvent e && e.jobId().equals(high) && e.terminal()),
        "the job raised above the other finished first");
    cancel(high);
  }

  /**
   * Tiles being made when job {@code id} (of {@code tiles}) was paused finish (one per render thread; the workers
   * hand the rest back); then nothing of it is made.
   */
  private static void assertNothingMadeWhilePaused(String id, int tiles) throws InterruptedException {
    Thread.sleep(3_000);
    long before = follower.count(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(id));
    Thread.sleep(4_000);
    long after = follower.count(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(id));
    assertEquals(before, after, "tiles were made while the job was paused");
    assertTrue(after < tiles, "the job finished before it was paused");
  }

  /** A schedule record keyed by another id (another partition) is taken where the job's dispatcher state lives. */
  @Test
  void aPauseKeyedOtherwiseStillPausesTheJob() throws Exception {
    String id = "keyed-k1";
    int partitions = farm.farm.settings().layout().defaultPartitions();
    String other = "other";
    for (int i = 0; partitions > 1 && partitionOf(other, partitions) == partitionOf(id, partitions); i++) {
      other = "other-" + i;
    }
    client.submit(TestFarm.json(job(id, 240, null)));
    follower.await(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(id), Duration.ofSeconds(60));
    client.submitRaw(other, ("{\"pause\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
    follower.await(r -> r.value() instanceof JobEvent.Paused p && p.jobId().equals(id), Duration.ofSeconds(30));
    assertNothingMadeWhilePaused(id, 240);
    client.submitRaw(other, ("{\"resume\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
    assertInstanceOf(JobEvent.Completed.class, follower.await(r -> r.value() instanceof JobEvent e
        && e.jobId().equals(id) && e.terminal(), Duration.ofSeconds(120)).value());
  }

  /** The CLI's pause, resume and priority of a job they would not change get the splitter's reason at once. */
  @Test
  void requestsThatChangeNothingAreRefusedAtOnceWithTheReason() throws Exception {
    String id = "refuse-me";
    client.submit(TestFarm.json(job(id, 1, null)));
    follower.await(r -> r.value() instanceof JobEvent e && e.jobId().equals(id) && e.terminal(),
        Duration.ofSeconds(60));
    long start = System.nanoTime();
    Cli pause = Cli.run("pause", id, "--data-dir", dir.toString());
    assertEquals(1, pause.code(), pause.stdout() + pause.stderr());
    assertTrue(pause.stdout().contains(id + " SCHEDULE_REFUSED (pause): job '" + id + "' is COMPLETED"),
        pause.stdout());
    Cli priority = Cli.run("priority", id, "70", "--data-dir", dir.toString());
    assertEquals(1, priority.code(), priority.stdout() + priority.stderr());
    assertTrue(priority.stdout().contains("SCHEDULE_REFUSED (priority)"), priority.stdout());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "the answers came at once, not after "
        + "the 30 s timeout");
  }

  /** A job waiting for another is paused and raised at once, and starts so when the other completes. */
  @Test
  void aWaitingJobIsPausedAndRaisedAndStartsSo() throws Exception {
    String parent = "w-par";
    String child = "w-ch";
    client.submit(TestFarm.json(job(parent, 400, null)));
    var childJob = TestFarm.json(job(child, 20, null));
    childJob.putArray("after").add(parent);
    client.submit(childJob);
    follower.await(r -> r.value() instanceof JobEvent.Waiting w && w.jobId().equals(child), Duration.ofSeconds(60));
    Cli pause = Cli.run("pause", child, "--data-dir", dir.toString());
    assertEquals(0, pause.code(), pause.stdout() + pause.stderr());
    Cli raise = Cli.run("priority", child, "90", "--data-dir", dir.toString());
    assertEquals(0, raise.code(), raise.stdout() + raise.stderr());
    assertTrue(raise.stdout().contains(child + " PRIORITY 90"), raise.stdout());
    JobEvent.Accepted accepted = (JobEvent.Accepted) follower.await(r -> r.value() instanceof JobEvent.Accepted a
        && a.jobId().equals(child), Duration.ofSeconds(120)).value();
    assertEquals(90, accepted.priority());
    Thread.sleep(3_000);
    List<JobEvent> events = follower.events(child);
    assertInstanceOf(JobEvent.Paused.class, events.getLast(), "released paused: " + events);
    assertEquals(0, follower.count(r -> r.value() instanceof TileResult.Done d && d.jobId().equals(child)),
        "nothing of a job released paused is made");
    Cli resume = Cli.run("resume", child, "--data-dir", dir.toString());
    assertEquals(0, resume.code(), resume.stdout() + resume.stderr());
    assertInstanceOf(JobEvent.Completed.class, follower.await(r -> r.value() instanceof JobEvent e
        && e.jobId().equals(child) && e.terminal(), Duration.ofSeconds(120)).value());
  }

  /** Follows the job events and tile results topics from the start of the test class, noting when each came. */
  static final class Follower implements AutoCloseable {
    record Seen(Object value, long at) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    Follower(Settings settings) {
      Topics topics = settings.topics();
      consumer = new KafkaConsumer<>(ClientProperties.CONSUMER.of(settings.bootstrapServers(), Map.of(
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10"), settings.roles().kafkaClient()),
          new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : List.of(topics.jobEvents().name(), topics.tileResults().name())) {
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      thread = new Thread(() -> {
        try {
          while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
              long at = System.nanoTime();
              Object value = r.topic().equals(topics.jobEvents().name())
                  ? topics.jobEvents().valueSerde().deserializer().deserialize(r.topic(), r.value())
                  : topics.tileResults().valueSerde().deserializer().deserialize(r.topic(), r.value());
              seen.add(new Seen(value, at));
            }
          }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
          // closing
        } finally {
          consumer.close();
        }
      }, "scheduling-it-follower");
      thread.start();
    }

    Seen await(Predicate<Seen> match, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        for (Seen s : seen) {
          if (match.test(s)) {
            return s;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("nothing matched within " + timeout);
        }
        Thread.sleep(20);
      }
    }

    boolean any(Predicate<Seen> match) {
      return seen.stream().anyMatch(match);
    }

    List<Seen> all(Predicate<Seen> match) {
      return seen.stream().filter(match).toList();
    }

    long count(Predicate<Seen> match) {
      return seen.stream().filter(match).count();
    }

    List<JobEvent> events(String jobId) {
      return seen.stream().map(Seen::value).filter(v -> v instanceof JobEvent e && e.jobId().equals(jobId))
          .map(v -> (JobEvent) v).toList();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      consumer.wakeup();
      thread.join(10_000);
    }
  }
}
