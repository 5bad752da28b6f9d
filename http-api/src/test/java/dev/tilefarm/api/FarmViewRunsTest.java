package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job's summary across its runs: its events replayed as the splitter and the compositor write them (their JSON on
 * the job events topic), with its tile results between them. A run's end and a retry leave no stale state behind.
 */
class FarmViewRunsTest {
  private final FarmView view = new FarmView(10);

  /** Replays one event as its JSON on the topic reads (so the test sees what the wire carries). */
  private void event(String json) {
    try {
      view.onEvent(Json.MAPPER.readValue(json, JobEvent.class));
    } catch (JsonProcessingException e) {
      throw new AssertionError("not a job event: " + json, e);
    }
  }

  private static String accepted(String job, long at, String extra) {
    return "{\"status\":\"ACCEPTED\",\"jobId\":\"" + job + "\",\"timestamp\":" + at + ",\"type\":\"render\","
        + "\"tiles\":3,\"width\":24,\"height\":8,\"output\":\"s3://tilefarm/outputs/" + job + ".png\"" + extra + "}";
  }

  private void tileDone(String job, int index, long at) {
    TileTask task = new TileTask(job, 3, 24, 8, FarmViewTest.OUT,
        S3Uri.parse("s3://tilefarm/tiles/" + job + "/" + index + ".tft"), 1, null,
        S3Uri.parse("s3://tilefarm/jobs/" + job + ".json"), null,
        TileTask.Work.Tile.of(new TileRect(index, index * 8, 0, 8, 8)));
    view.onTile(TileResult.Done.of(task, TileResult.Stored.pixels(3, 10, "00", 5, "w1", null)), at);
  }

  private void tileFailed(String job, int index, long at) {
    view.onTile(new TileResult.Failed(job, new TileRect(index, index * 8, 0, 8, 8), 3, "boom", "w1", 1L), at);
  }

  private FarmView.JobSummary summary(String job) {
    return view.job(job, false).job();
  }

  /**
   * The reviewer's c4-dep: a job "after" c4 waits, ends CANCELLED with c4, is retried and waits again (attempt 2
   * and 3): each retry's WAITING is a new run, not a late event of the cancelled one.
   */
  @Test
  void aRetriedJobThatWaitsAgainShowsItsNewRun() {
    event("{\"status\":\"WAITING\",\"jobId\":\"c4-dep\",\"timestamp\":1,\"waitingOn\":[\"c4\"],\"priority\":70}");
    assertEquals(JobStatus.WAITING, summary("c4-dep").status());
    assertEquals(70, summary("c4-dep").priority(), "WAITING carries the job's priority");
    assertNull(summary("c4-dep").attempt(), "a first run has no attempt");
    event("{\"status\":\"CANCELLED\",\"jobId\":\"c4-dep\",\"timestamp\":2,\"reason\":\"c4 was cancelled\"}");
    assertEquals(JobStatus.CANCELLED, summary("c4-dep").status());
    assertEquals(List.of(), summary("c4-dep").waitingOn(), "an ended job waits for nothing");

    event("{\"status\":\"WAITING\",\"jobId\":\"c4-dep\",\"timestamp\":3,\"waitingOn\":[\"c4\"],\"priority\":70,"
        + "\"attempt\":2}");
    event("{\"status\":\"CANCELLED\",\"jobId\":\"c4-dep\",\"timestamp\":4,\"reason\":\"c4 was cancelled\","
        + "\"attempt\":2}");
    event("{\"status\":\"WAITING\",\"jobId\":\"c4-dep\",\"timestamp\":5,\"waitingOn\":[\"c4\"],\"priority\":70,"
        + "\"attempt\":3}");
    FarmView.JobSummary third = summary("c4-dep");
    assertEquals(JobStatus.WAITING, third.status());
    assertEquals(3, third.attempt());
    assertEquals(List.of("c4"), third.waitingOn());
    assertNull(third.endedAt(), "the cancelled run's end is history");
    assertNull(third.reason());
    assertEquals(70, third.priority());

    event(accepted("c4-dep", 6, ",\"priority\":70,\"attempt\":3"));
    FarmView.JobSummary running = summary("c4-dep");
    assertEquals(JobStatus.ACCEPTED, running.status());
    assertEquals(3, running.attempt());
    assertEquals(List.of(), running.waitingOn());
  }

  /** A WAITING of a splitter that did not yet mark attempts still starts a new run after the job's end. */
  @Test
  void aWaitingAfterAnEndWithoutAnAttemptIsStillANewRun() {
    event("{\"status\":\"WAITING\",\"jobId\":\"d\",\"timestamp\":1,\"waitingOn\":[\"c\"]}");
    event("{\"status\":\"FAILED\",\"jobId\":\"d\",\"timestamp\":2,\"reason\":\"c failed\"}");
    assertEquals(JobStatus.FAILED, summary("d").status());
    assertEquals(List.of(), summary("d").waitingOn(), "FAILED naming c: no longer 'FAILED on c'");
    event("{\"status\":\"WAITING\",\"jobId\":\"d\",\"timestamp\":3,\"waitingOn\":[\"c\"]}");
    assertEquals(JobStatus.WAITING, summary("d").status());
    assertNull(summary("d").endedAt());
    assertNull(summary("d").reason());
  }

  /** Paused, cancelled, retried: the second run is not paused (the dashboard offers Pause, not Resume). */
  @Test
  void anEndAndARetryClearPaused() {
    event(accepted("p", 1, ",\"priority\":50"));
    event("{\"status\":\"PAUSED\",\"jobId\":\"p\",\"timestamp\":2}");
    assertTrue(summary("p").paused());
    assertEquals(JobStatus.PAUSED, summary("p").status());
    event("{\"status\":\"CANCELLED\",\"jobId\":\"p\",\"timestamp\":3,\"reason\":\"cancelled by tilefarm cancel\"}");
    assertFalse(summary("p").paused(), "a cancelled job is not paused");
    event(accepted("p", 4, ",\"priority\":50,\"attempt\":2"));
    assertFalse(summary("p").paused());
    tileDone("p", 0, 5);
    event("{\"status\":\"PROGRESS\",\"jobId\":\"p\",\"timestamp\":5,\"done\":1,\"total\":3,\"fraction\":0.3333}");
    FarmView.JobSummary s = summary("p");
    assertEquals(JobStatus.RUNNING, s.status());
    assertEquals(2, s.attempt());
    assertFalse(s.paused());
  }

  /** Tiles in hand finish while a job is paused; if they were its last, it completes, and is not paused any more. */
  @Test
  void aJobThatCompletesWhilePausedIsNotPaused() {
    event(accepted("c", 1, ""));
    event("{\"status\":\"PAUSED\",\"jobId\":\"c\",\"timestamp\":2}");
    event("{\"status\":\"COMPLETED\",\"jobId\":\"c\",\"timestamp\":3,\"output\":\"s3://tilefarm/outputs/c.png\","
        + "\"format\":\"png\",\"sha256\":\"ab\",\"bytes\":99,\"width\":24,\"height\":8,\"tiles\":3,"
        + "\"timings\":{\"total\":2,\"render\":6,\"assemble\":1}}");
    assertEquals(JobStatus.COMPLETED, summary("c").status());
    assertFalse(summary("c").paused());
  }

  /**
   * A retry keeps its last run's done tiles but the one its FAILED named (the compositor's RetryKeeper), and its
   * PROGRESS counts them: the view's {@code done} does too, from the retry's ACCEPTED on, and through its end.
   */
  @Test
  void aRetryCountsTheTilesItKept() {
    event(accepted("r", 1, ",\"priority\":50"));
    tileDone("r", 0, 2);
    tileFailed("r", 1, 3);
    tileDone("r", 2, 4);
    event("{\"status\":\"FAILED\",\"jobId\":\"r\",\"timestamp\":5,\"reason\":\"tile 1 failed 3 times: boom\","
        + "\"tile\":1}");
    assertEquals(2, summary("r").done());
    assertEquals(1, summary("r").failedTiles());

    event(accepted("r", 6, ",\"priority\":50,\"attempt\":2"));
    FarmView.JobSummary retry = summary("r");
    assertEquals(2, retry.done(), "tiles 0 and 2 are kept for attempt 2");
    assertEquals(0, retry.failedTiles(), "tile 1 is to be made again");
    assertEquals(List.of(0, 2), view.job("r", true).tiles().stream().map(FarmView.TileView::index).toList());

    event("{\"status\":\"FAILED\",\"jobId\":\"r\",\"timestamp\":7,\"reason\":\"tile 1 failed 3 times: boom\","
        + "\"tile\":1,\"attempt\":2}");
    FarmView.JobSummary failed = summary("r");
    assertEquals(JobStatus.FAILED, failed.status());
    assertEquals(2, failed.done(), "the failed attempt 2 had tiles 0 and 2 done");
    assertEquals(2, failed.attempt());
  }

  /** A FAILED that names a done tile (its pixels were bad): the retry makes that tile again, so it is not done. */
  @Test
  void aRetryDoesNotKeepTheTileTheFailureNamed() {
    event(accepted("b", 1, ""));
    tileDone("b", 0, 2);
    tileDone("b", 2, 3);
    event("{\"status\":\"FAILED\",\"jobId\":\"b\",\"timestamp\":4,\"reason\":\"tile 2 does not match its digest\","
        + "\"tile\":2}");
    event(accepted("b", 5, ",\"attempt\":2"));
    assertEquals(1, summary("b").done());
  }

  /** The priority is known from the request on (a waiting job has one), and follows WAITING and PRIORITY events. */
  @Test
  void priorityFromTheRequestWaitingAndPriorityEvents() {
    view.onJobRecord("w", ("{\"id\":\"w\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8,"
        + "\"priority\":70,\"after\":[\"c4\"]}").getBytes(StandardCharsets.UTF_8), 1);
    assertEquals(70, summary("w").priority(), "from the request, before the splitter answers");
    event("{\"status\":\"WAITING\",\"jobId\":\"w\",\"timestamp\":2,\"waitingOn\":[\"c4\"]}");
    assertEquals(70, summary("w").priority(), "a WAITING without one leaves it");
    event("{\"status\":\"PRIORITY\",\"jobId\":\"w\",\"timestamp\":3,\"priority\":90}");
    assertEquals(90, summary("w").priority());
    assertEquals(JobStatus.WAITING, summary("w").status());
    view.onJobRecord("d", "{\"id\":\"d\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8}"
        .getBytes(StandardCharsets.UTF_8), 4);
    assertEquals(50, summary("d").priority(), "a request without one has the default");
  }
}
