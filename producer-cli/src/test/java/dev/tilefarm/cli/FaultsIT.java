package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.store.TileKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancellation, deadlines and tile clean-up through the real broker and S3 server. */
class FaultsIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    // A failed or cancelled job's done tiles are kept for a retry; here only briefly, so their deletion is seen.
    farm = TestFarm.start(dir, 2, Map.of("compositor.retry-retention-ms", "2000"));
  }

  @AfterAll
  static void stop() {
    farm.close();
  }

  /** A Mandelbrot job deep enough to take a while: many tiles, many iterations. */
  private static String slowJob(String id, String extra) {
    return "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":1024,\"height\":1024,"
        + "\"tileSize\":32,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":4000,\"iterations\":20000}" + extra + "}";
  }

  private static void awaitNoTiles(String jobId) throws InterruptedException {
    long deadline = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
    while (!farm.farm.blobs().list("tilefarm", TileKeys.tilePrefix(jobId)).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the tiles of " + jobId + " are still there");
      Thread.sleep(200);
    }
  }

  @Test
  void aCancelledJobEndsCancelledWithoutOutputAndItsTilesGo() throws Exception {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      var from = client.eventPositions();
      String id = client.submit(TestFarm.json(slowJob("to-cancel", "")));
      CountDownLatch progressed = new CountDownLatch(1);
      Thread canceller = new Thread(() -> {
        try {
          progressed.await();
          client.cancel(id, "changed my mind");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      // Cancel once tiles are coming in, so that some are done, some in hand and most pending.
      Map<String, JobEvent> ends;
      try (JobClient watcher = new JobClient(farm.farm.settings())) {
        canceller.start();
        ends = watcher.await(List.of(id), Set.of(), from, TestFarm.TIMEOUT, e -> {
          if (e instanceof JobEvent.Progress) {
            progressed.countDown();
          }
        });
      }
      canceller.join();
      JobEvent.Cancelled end = assertInstanceOf(JobEvent.Cancelled.class, ends.get(id));
      assertEquals("changed my mind", end.reason());
      assertEquals(-1, farm.farm.blobs().size(TileKeys.defaultOutput("tilefarm", id)), "no output is written");
      awaitNoTiles(id);
      List<JobEvent> history = client.history(id);
      assertEquals(1, history.stream().filter(JobEvent::terminal).count(), history.toString());
    }
    // The farm goes on: the next job completes.
    assertInstanceOf(JobEvent.Completed.class, farm.runOne(TestFarm.json(
        "{\"id\":\"after-cancel\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":48}")));
  }

  @Test
  void aJobCancelledBeforeItArrivesIsNeverRun() throws Exception {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      var from = client.eventPositions();
      client.cancel("early-bird", null);
      Map<String, JobEvent> ends = client.await(List.of("early-bird"), Set.of(), from, TestFarm.TIMEOUT, e -> { });
      assertInstanceOf(JobEvent.Cancelled.class, ends.get("early-bird"));
      var after = client.eventPositions();
      client.submit(TestFarm.json(
          "{\"id\":\"early-bird\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":48}"));
      // A marker job on the same partition, published after it: once it is answered, so is early-bird.
      String marker = "marker-after-early-bird";
      client.submit(TestFarm.json("{\"id\":\"" + marker + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
          + "\"width\":16,\"height\":16}"));
      client.await(List.of(marker), Set.of(), after, TestFarm.TIMEOUT, e -> { });
      assertTrue(client.history("early-bird").stream().noneMatch(e -> e instanceof JobEvent.Accepted),
          "the job was never accepted");
    }
  }

  @Test
  void aJobThatCannotFinishInItsTimeLimitFailsNamingTheMissingTiles() throws Exception {
    JobEvent end = farm.runOne(TestFarm.json(slowJob("too-slow", ",\"timeLimit\":1")));
    JobEvent.Failed failed = assertInstanceOf(JobEvent.Failed.class, end);
    assertTrue(failed.reason().startsWith("the job's time limit ran out with "), failed.reason());
    assertTrue(failed.reason().contains(" of 1024 tiles missing: tiles "), failed.reason());
    awaitNoTiles("too-slow");
  }

  @Test
  void theTilesOfACompletedJobAreDeletedAfterItsCompletion() throws Exception {
    JobEvent end = farm.runOne(TestFarm.json(
        "{\"id\":\"cleaned\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":128,\"height\":96,\"tileSize\":32}"));
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, end);
    awaitNoTiles("cleaned");
    assertEquals(c.bytes(), farm.farm.blobs().size(c.output()), "the image stays");
  }
}
