package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import org.junit.jupiter.api.Test;

/** What the job control records tell a worker of a task's job, in the order they come, without a broker. */
class WatchedJobsTest {
  private final WatchedJobs jobs = new WatchedJobs(100);

  /** A task of job {@code id}'s run accepted at {@code acceptedAt}, with a deadline or none. */
  private static TileTask task(String id, long acceptedAt, Long deadline) {
    return new TileTask(id, 4, 32, 8, S3Uri.parse("s3://out/" + id + ".png"),
        S3Uri.parse("s3://tilefarm/tiles/" + id + "/1.tft"), acceptedAt, null,
        S3Uri.parse("s3://tilefarm/jobs/" + id + ".json"), deadline, TileTask.Work.Tile.of(new TileRect(1, 8, 0, 8, 8)));
  }

  private static JobControl.Planned planned(String id, long acceptedAt) {
    return new JobControl.Planned(id, acceptedAt, 4, 32, 8, S3Uri.parse("s3://out/" + id + ".png"), null);
  }

  @Test
  void aPauseHoldsTheJobUntilItsResumeAndAPauseAfterThatHoldsItAgain() {
    TileTask t = task("a", 1_000, null);
    jobs.apply("a", planned("a", 1_000));
    assertEquals(JobState.RUNNING, jobs.stateOf(t, 2_000));
    jobs.apply("a", new JobControl.Pause("a", 3_000));
    assertEquals(JobState.PAUSED, jobs.stateOf(t, 4_000));
    jobs.apply("a", new JobControl.Resume("a", 5_000));
    assertEquals(JobState.RUNNING, jobs.stateOf(t, 6_000));
    jobs.apply("a", new JobControl.Pause("a", 7_000));
    assertEquals(JobState.PAUSED, jobs.stateOf(t, 8_000));
    assertEquals(JobState.RUNNING, jobs.stateOf(task("b", 1_000, null), 8_000), "only the job paused");
  }

  @Test
  void aPausedJobsTimeLimitDoesNotRunOutHere() {
    TileTask t = task("a", 1_000, 5_000L);
    jobs.apply("a", new JobControl.Pause("a", 2_000));
    assertEquals(JobState.PAUSED, jobs.stateOf(t, 9_000), "handed back, and released again with a later deadline");
    jobs.apply("a", new JobControl.Resume("a", 10_000));
    assertEquals(new JobState.Ended("the job's time limit ran out"), jobs.stateOf(t, 10_001),
        "a task released before the pause still carries the deadline it had");
  }

  @Test
  void aStopOutranksAPauseAndARetrysPlannedClearsBoth() {
    TileTask first = task("a", 1_000, null);
    jobs.apply("a", new JobControl.Pause("a", 2_000));
    jobs.apply("a", new JobControl.Cancel("a", 3_000, "no longer wanted"));
    assertEquals(new JobState.Ended("the job is CANCELLED"), jobs.stateOf(first, 4_000));
    assertEquals("CANCELLED", jobs.endOf("a"));
    TileTask retry = task("a", 5_000, null);
    assertEquals(JobState.RUNNING, jobs.stateOf(retry, 5_500), "a retry's task come before its PLANNED is wanted");
    jobs.apply("a", planned("a", 5_000));
    assertNull(jobs.endOf("a"));
    assertEquals(JobState.RUNNING, jobs.stateOf(retry, 6_000));
  }

  @Test
  void aPauseOfAnEarlierRunDoesNotHoldALaterOne() {
    jobs.apply("a", new JobControl.Pause("a", 2_000));
    assertEquals(JobState.PAUSED, jobs.stateOf(task("a", 1_000, null), 3_000));
    assertEquals(JobState.RUNNING, jobs.stateOf(task("a", 2_500, null), 3_000), "accepted after the pause");
  }

  @Test
  void recordsUnderAnotherKeyPauseResumeAndStopNothing() {
    TileTask t = task("a", 1_000, null);
    jobs.apply("x", new JobControl.Pause("a", 2_000));
    jobs.apply("x", new JobControl.Ended("a", 2_000, "FAILED"));
    assertEquals(JobState.RUNNING, jobs.stateOf(t, 3_000));
    jobs.apply("a", new JobControl.Pause("a", 2_000));
    jobs.apply("x", new JobControl.Resume("a", 2_500));
    assertEquals(JobState.PAUSED, jobs.stateOf(t, 3_000));
    jobs.apply("a", null);
    assertEquals(JobState.PAUSED, jobs.stateOf(t, 3_000), "a record that is no control changes nothing");
  }
}
