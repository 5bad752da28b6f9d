package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.WorkerStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FarmViewTest {
  static final S3Uri OUT = S3Uri.parse("s3://tilefarm/outputs/j.png");

  static TileResult.Done done(String job, int i, long ms, String worker) {
    TileTask task = new TileTask(job, 2, 16, 8, OUT, S3Uri.parse("s3://tilefarm/tiles/" + job + "/" + i + ".tft"), 1,
        null, S3Uri.parse("s3://tilefarm/jobs/" + job + ".json"), null,
        TileTask.Work.Tile.of(new TileRect(i, i * 8, 0, 8, 8)));
    return TileResult.Done.of(task, TileResult.Stored.pixels(3, 10, "00", ms, worker, null));
  }

  /** A letter whose bytes were too large to carry shows where they are kept, instead of nothing. */
  @Test
  void aClaimCheckedDeadLetterShowsWhereItsBytesAre() {
    FarmView v = new FarmView(100);
    String sha = "ab".repeat(32);
    v.onDeadLetter(new dev.tilefarm.schemas.DeadLetter("tilefarm.jobs", 1, 9, "YmlnLTE=", null, "too big to read",
        "tile-splitter", 5L, null,
        new dev.tilefarm.schemas.DeadLetter.Stored("s3://farm/dead-letters/tilefarm.jobs/1-9.value", 921600, sha)));
    FarmView.DeadLetterView d = v.deadLetters().get(0);
    assertEquals("big-1", d.key());
    assertEquals("s3://farm/dead-letters/tilefarm.jobs/1-9.value", d.storedAt());
    assertEquals(921600L, d.storedBytes());
    assertEquals(sha, d.sha256());
    assertTrue(d.valuePreview().contains("921600 bytes") && d.valuePreview().contains("kept at s3://farm/"),
        d.valuePreview());
  }

  static JobEvent.Completed completed(String job, long at, String output) {
    return new JobEvent.Completed(job, at, S3Uri.parse(output), "png", "ab", 99, 16, 8, 2,
        new JobEvent.Timings(4, 20, 1));
  }

  /**
   * A flood of COMPLETED events keeps the job's first four and latest four (newest first) for output serving, so
   * neither the farm's own first event nor a later real one is pushed out; the job shows its first COMPLETED
   * event, whatever terminal events follow it.
   */
  @Test
  void keepsTheFirstAndLatestCompletedEventsAndShowsTheFirst() {
    FarmView v = new FarmView(10);
    v.onEvent(new JobEvent.Accepted("j", 1, "render", 2, 16, 8, OUT));
    v.onEvent(completed("j", 10, OUT.toString()));
    for (int i = 1; i <= 100; i++) {
      v.onEvent(completed("j", 10 + i, "s3://other-bucket/forged-" + i + ".png"));
    }
    v.onEvent(new JobEvent.Failed("j", 200, "forged", null));
    v.onEvent(new JobEvent.Accepted("j", 201, "render", 9, 64, 64, S3Uri.parse("s3://other-bucket/x.png")));
    List<String> kept = v.completions("j").stream().map(c -> c.output().toString()).toList();
    assertEquals(List.of("s3://other-bucket/forged-100.png", "s3://other-bucket/forged-99.png",
        "s3://other-bucket/forged-98.png", "s3://other-bucket/forged-97.png", "s3://other-bucket/forged-3.png",
        "s3://other-bucket/forged-2.png", "s3://other-bucket/forged-1.png", OUT.toString()), kept);
    FarmView.JobSummary job = v.job("j", false).job();
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals(OUT.toString(), job.output());
    assertEquals(10L, job.endedAt());
    assertEquals(2, job.tiles());
    assertNull(job.reason());
    assertEquals(104, v.job("j", false).events().size(), "every event is still listed");
    assertEquals(List.of(), v.completions("unknown"));
  }

  @Test
  void followsAJobFromSubmissionToCompletion() {
    FarmView v = new FarmView(10);
    v.onJobRecord("j", "{\"id\":\"j\",\"type\":\"process\",\"input\":\"s3://b1b/x.png\",\"ops\":[{\"op\":\"grayscale\"},{\"op\":\"gaussian-blur\",\"sigma\":1}]}"
        .getBytes(StandardCharsets.UTF_8), 5);
    assertEquals(JobStatus.SUBMITTED, v.job("j", false).job().status());
    assertEquals("grayscale+gaussian-blur", v.job("j", false).job().kind());
    v.onEvent(new JobEvent.Accepted("j", 6, "process", 2, 16, 8, OUT));
    v.onTile(done("j", 0, 5, "w1"), 7);
    assertEquals(JobStatus.RUNNING, v.job("j", false).job().status());
    v.onTile(done("j", 0, 5, "w1"), 8); // a duplicate result: counted once
    v.onTile(done("j", 1, 15, "w2"), 9);
    FarmView.JobDetail d = v.job("j", true);
    assertEquals(2, d.job().done());
    assertEquals(2, d.tiles().get(0).reports());
    v.onEvent(new JobEvent.Completed("j", 10, OUT, "png", "ab", 99, 16, 8, 2, new JobEvent.Timings(4, 20, 1)));
    d = v.job("j", true);
    assertEquals(JobStatus.COMPLETED, d.job().status());
    assertEquals(10L, d.job().endedAt());
    assertEquals(2, d.events().size());
    List<FarmView.WorkerView> workers = v.workers(10);
    assertEquals(List.of("w1", "w2"), workers.stream().map(FarmView.WorkerView::id).toList());
    assertEquals(1, workers.get(0).tiles(), "a duplicate is not a second tile");
    assertEquals(List.of("grayscale+gaussian-blur"), workers.get(0).kinds());
    assertEquals(List.of(), workers.get(0).renderers(), "renderers come from heartbeats only");
  }

  @Test
  void workersAreLiveWhileTheirLastHeartbeatIsWithinTheSplittersWindow() {
    FarmView v = new FarmView(10);
    long t = 1_000_000;
    v.onHeartbeat("w1", new WorkerStatus("w1", List.of("mandelbrot", "builtin", "povray"), 8, t));
    v.onHeartbeat("w2", new WorkerStatus("w2", List.of("mandelbrot"), 2, t - 5_000));
    FarmView.WorkerView w1 = v.workers(t + WorkerStatus.ALIVE_MS).get(0);
    assertEquals(List.of("mandelbrot", "builtin", "povray"), w1.renderers());
    assertEquals(8, w1.threads());
    assertEquals(t, w1.lastSeen());
    assertTrue(w1.live(), "exactly the window old: the splitter still counts it");
    assertEquals("idle", w1.health());
    FarmView.WorkerView w2 = v.workers(t + WorkerStatus.ALIVE_MS).get(1);
    assertFalse(w2.live());
    assertEquals("stale", w2.health());
    assertFalse(v.workers(t + WorkerStatus.ALIVE_MS + 1).get(0).live(), "one millisecond past it: not live");

    // A tile result later than the heartbeat moves lastSeen, not liveness.
    v.onEvent(new JobEvent.Accepted("j", t, "render", 2, 16, 8, OUT));
    v.onTile(done("j", 0, 5, "w1"), t + 2_000);
    w1 = v.workers(t + 3_000).get(0);
    assertEquals(t + 2_000, w1.lastSeen());
    assertEquals(t, w1.lastHeartbeat());
    assertEquals("busy", w1.health());

    // Tombstones: a worker that made tiles stays listed with its counts, not live; one that did not is gone.
    v.onWorkerGone("w1");
    v.onWorkerGone("w2");
    v.onWorkerGone("never-seen");
    List<FarmView.WorkerView> after = v.workers(t + 3_000);
    assertEquals(List.of("w1"), after.stream().map(FarmView.WorkerView::id).toList());
    assertFalse(after.get(0).live());
    assertNull(after.get(0).threads());
    assertEquals(List.of(), after.get(0).renderers());
    assertEquals(1, after.get(0).tiles());
    assertEquals("gone", after.get(0).health());
  }

  @Test
  void cancelRequestsAndInvalidJobs() {
    FarmView v = new FarmView(10);
    v.onJobRecord("j", "{\"id\":\"j\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8}"
        .getBytes(StandardCharsets.UTF_8), 1);
    v.onJobRecord("j", "{\"cancel\":\"j\"}".getBytes(StandardCharsets.UTF_8), 2);
    assertTrue(v.job("j", false).job().cancelRequested());
    assertEquals(JobStatus.SUBMITTED, v.job("j", false).job().status(), "a cancel request is not a job");
    v.onJobRecord("bad", "{\"type\":\"render\",\"width\":-1}".getBytes(StandardCharsets.UTF_8), 3);
    assertNull(v.job("bad", false).job().kind());
    v.onJobRecord("x", "not json".getBytes(StandardCharsets.UTF_8), 4);
    assertNull(v.job("x", false), "undecodable records are the dead-letter topic's business");
  }

  @Test
  void listenersSeeEveryChangeAfterTheirSnapshotAndTheViewStaysBounded() {
    FarmView v = new FarmView(2);
    v.onEvent(new JobEvent.Accepted("a", 1, "render", 2, 16, 8, OUT));
    List<FarmView.Update> seen = new ArrayList<>();
    List<FarmView.JobDetail> snap = new ArrayList<>();
    v.subscribe("a", snap::add, seen::add);
    assertEquals(JobStatus.ACCEPTED, snap.get(0).job().status());
    v.onTile(done("a", 0, 3, "w"), 2);
    assertTrue(seen.stream().anyMatch(u -> u instanceof FarmView.TileSeen));
    for (String id : List.of("b", "c", "d")) {
      v.onEvent(new JobEvent.Accepted(id, 3, "render", 1, 8, 8, OUT));
      v.onEvent(new JobEvent.Failed(id, 4, "boom", 0));
    }
    assertEquals(2, v.jobs(null, 100).size(), "oldest ended jobs are forgotten");
    v.onGroupState(Set.of("w"), List.of(new FarmView.Backlog("t", "g", 5)));
    assertEquals(5, v.stats(10).backlog().get(0).records());
    assertEquals("busy", v.workers(10).get(0).health());
  }

  /** Before, a worker that left stayed listed as gone for as long as the API ran. */
  @Test
  void workersGoneLongerThanFiveMinutesLeaveTheList() {
    FarmView v = new FarmView(10);
    long t = 1_000_000_000L;
    v.onTile(done("j", 0, 5, "made-tiles-left"), t);
    v.onWorkerGone("made-tiles-left");
    v.onHeartbeat("stopped-beating", new WorkerStatus("stopped-beating", List.of("mandelbrot"), 1, t));
    v.onHeartbeat("alive", new WorkerStatus("alive", List.of("mandelbrot"), 1, t));
    v.onGroupState(Set.of("member-only"), List.of());
    long later = t + FarmView.FORGET_GONE_MS;
    v.onHeartbeat("alive", new WorkerStatus("alive", List.of("mandelbrot"), 1, later));
    assertEquals(List.of("alive", "made-tiles-left", "member-only", "stopped-beating"),
        v.workers(later).stream().map(FarmView.WorkerView::id).toList(), "five minutes: still listed");
    assertEquals("gone", v.workers(later).get(1).health());
    assertEquals("stale", v.workers(later).get(3).health());
    assertEquals(List.of("alive", "member-only"), v.workers(later + 1).stream().map(FarmView.WorkerView::id).toList(),
        "a moment later the gone and the stale are forgotten; the live and the share group's members stay");
    v.onHeartbeat("stopped-beating", new WorkerStatus("stopped-beating", List.of("mandelbrot"), 1, later + 2));
    assertTrue(v.workers(later + 2).stream().anyMatch(w -> w.id().equals("stopped-beating") && w.live()),
        "a worker that comes back is listed again");
  }

  /**
   * A member of the share group that has neither sent a heartbeat nor made a tile (a worker that just joined, or
   * one whose heartbeat was its tombstone) is listed with no last-seen time: the list failed on it with a
   * NullPointerException, and {@code GET /api/workers} and the dashboard's front page answered 500.
   */
  @Test
  void aMemberWithNoHeartbeatAndNoTileIsListedWithoutALastSeenTime() {
    FarmView v = new FarmView(10);
    v.onGroupState(Set.of("fresh"), List.of());
    List<FarmView.WorkerView> workers = v.workers(1_000);
    assertEquals(1, workers.size());
    FarmView.WorkerView w = workers.get(0);
    assertEquals("fresh", w.id());
    assertEquals("idle", w.health());
    assertNull(w.lastSeen());
    assertNull(w.lastHeartbeat());
  }
}
