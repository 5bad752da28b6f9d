package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobSchedule;
import dev.tilefarm.schemas.TileResult;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pausing a job whose tasks are already released, on a real embedded farm (broker, S3 server, splitter, compositor,
 * one worker with one render thread): the worker hands back every task of the job it takes after the pause
 * (RETURNED) and finishes only the tile it was making; on resume the job completes, every tile made once, with the
 * bytes of a run that was never paused.
 */
class PauseHandBackIT {
  /** Worker render threads: at most this many tiles are being made when the pause comes. */
  private static final int THREADS = 1;
  private static final int TILES = 6;
  private static final int MILLIS_PER_TILE = 2_000;
  /**
   * How long after the PAUSED event is seen here a worker may still start a tile of the job: the worker reads the
   * PAUSE from the job control topic, committed in the splitter's transaction with the event.
   */
  private static final long READ_ALLOWANCE_MS = 1_000;

  @TempDir
  static Path dir;
  static TestFarm farm;
  static SchedulingIT.Follower follower;
  static JobClient client;

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir, 1, Map.of("worker.threads", String.valueOf(THREADS)));
    follower = new SchedulingIT.Follower(farm.farm.settings());
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

  /** {@link #TILES} tiles in a row, each taking the worker {@link #MILLIS_PER_TILE} ms. */
  private static String job(String id) {
    return "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"sleep\",\"width\":" + 64 * TILES
        + ",\"height\":64,\"tileSize\":64,\"scene\":{\"millisPerTile\":" + MILLIS_PER_TILE + "}}";
  }

  private static JobEvent.Completed completed(String id) throws Exception {
    SchedulingIT.Follower.Seen end = follower.await(r -> r.value() instanceof JobEvent e && e.jobId().equals(id)
        && e.terminal(), Duration.ofSeconds(120));
    return assertInstanceOf(JobEvent.Completed.class, end.value());
  }

  private static boolean doneOf(SchedulingIT.Follower.Seen s, String id) {
    return s.value() instanceof TileResult.Done d && d.jobId().equals(id);
  }

  private static String sha256(JobEvent.Completed c) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(farm.farm.blobs().get(c.output())));
  }

  @Test
  void aPausedJobsReleasedTasksAreHandedBackAndMadeOnceAfterItsResume() throws Exception {
    String id = "hand-back";
    client.submit(TestFarm.json(job(id)));
    // The first tile is done: the worker's one render thread starts the next it holds, and the pause comes while
    // it makes that one (a tile takes 2 s; the pause reaches the worker in well under 1).
    follower.await(r -> doneOf(r, id), Duration.ofSeconds(60));
    client.schedule(new JobSchedule.Pause(id));
    SchedulingIT.Follower.Seen paused = follower.await(r -> r.value() instanceof JobEvent.Paused p
        && p.jobId().equals(id), Duration.ofSeconds(30));
    Thread.sleep(3L * MILLIS_PER_TILE);

    List<SchedulingIT.Follower.Seen> after = follower.all(r -> doneOf(r, id) && r.at() > paused.at());
    assertTrue(after.size() <= THREADS, "tiles done after the pause: " + after.size() + ", more than the "
        + THREADS + " in hand");
    for (SchedulingIT.Follower.Seen s : after) {
      long startedMsAfterPause = (s.at() - paused.at()) / 1_000_000 - ((TileResult.Done) s.value()).renderMs();
      assertTrue(startedMsAfterPause < READ_ALLOWANCE_MS, "tile " + ((TileResult.Done) s.value()).tile().index()
          + " was started " + startedMsAfterPause + " ms after the PAUSED event");
    }
    long returned = follower.count(r -> r.value() instanceof TileResult.Returned t && t.jobId().equals(id));
    assertTrue(returned >= 1, "the task the worker held besides the one it was making is handed back");
    long doneWhilePaused = follower.count(r -> doneOf(r, id));
    assertTrue(doneWhilePaused < TILES, "the job finished before it was paused");
    Thread.sleep(MILLIS_PER_TILE);
    assertEquals(doneWhilePaused, follower.count(r -> doneOf(r, id)), "a tile was made while the job was paused");

    client.schedule(new JobSchedule.Resume(id));
    String pausedSha = sha256(completed(id));
    Map<Integer, Long> made = new TreeMap<>();
    follower.all(r -> doneOf(r, id)).forEach(s -> made.merge(((TileResult.Done) s.value()).tile().index(), 1L,
        Long::sum));
    Map<Integer, Long> once = new TreeMap<>();
    for (int i = 0; i < TILES; i++) {
      once.put(i, 1L);
    }
    assertEquals(once, made, "every tile made exactly once");
    System.out.printf("paused job: %d tiles done after the pause before the resume, %d tasks handed back%n",
        after.size(), follower.count(r -> r.value() instanceof TileResult.Returned t && t.jobId().equals(id)));

    String unpaused = "never-paused";
    client.submit(TestFarm.json(job(unpaused)));
    assertEquals(sha256(completed(unpaused)), pausedSha, "the paused job's image is the unpaused one's");
  }
}
