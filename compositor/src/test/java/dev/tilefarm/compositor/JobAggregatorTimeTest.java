package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stuck-job detection and the missing-tile reasons, without Kafka. */
class JobAggregatorTimeTest {
  @TempDir
  Path dir;

  @Test
  void aJobWithoutANewTileForTheStallTimeoutFailsAsStuck() {
    AtomicLong now = new AtomicLong(1_000_000);
    try (ImageAssembler assembler = new ImageAssembler(u -> new byte[0], (u, f, c, j) -> { }, dir, 1)) {
      JobAggregator aggregator = new JobAggregator(assembler, () -> Instant.ofEpochMilli(now.get()),
          Duration.ofMillis(250), Duration.ofDays(1), Duration.ofMinutes(10));
      JobPlanned planned = new JobPlanned(40, 400, 10, S3Uri.parse("s3://bucket/o.png"), now.get(), 0);
      now.addAndGet(Duration.ofMinutes(9).toMillis());
      assertSame(JobAggregator.Step.NOTHING, aggregator.checkTime("j", planned));
      now.addAndGet(Duration.ofMinutes(1).toMillis());
      JobAggregator.Step step = aggregator.checkTime("j", planned);
      assertInstanceOf(JobEnded.class, step.state());
      JobEvent.Failed failed = (JobEvent.Failed) step.events().get(0);
      assertEquals("the job is stuck: no tile finished in the last 600 s with 40 of 40 tiles missing: tiles 0, 1, 2, "
          + "3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, "
          + "31 and 8 more", failed.reason());
    }
  }

  @Test
  void neitherClockRunsWhileAJobIsPausedAndTheDeadlineMovesOnByThePause() {
    AtomicLong now = new AtomicLong(1_000_000);
    try (ImageAssembler assembler = new ImageAssembler(u -> new byte[0], (u, f, c, j) -> { }, dir, 1)) {
      JobAggregator aggregator = new JobAggregator(assembler, () -> Instant.ofEpochMilli(now.get()),
          Duration.ofMillis(250), Duration.ofDays(1), Duration.ofMinutes(10));
      long accepted = now.get();
      // A time limit of 20 minutes.
      JobPlanned planned = new JobPlanned(4, 40, 10, S3Uri.parse("s3://bucket/o.png"), accepted,
          accepted + Duration.ofMinutes(20).toMillis());
      PauseClock clock = PauseClock.NONE.pause(now.addAndGet(Duration.ofMinutes(5).toMillis()));
      now.addAndGet(Duration.ofHours(2).toMillis());
      assertSame(JobAggregator.Step.NOTHING, aggregator.checkTime("j", planned, clock), "paused: no clock runs");
      clock = clock.resume(now.get());
      assertEquals(Duration.ofHours(2).toMillis(), clock.pausedMs());
      now.addAndGet(Duration.ofMinutes(9).toMillis());
      assertSame(JobAggregator.Step.NOTHING, aggregator.checkTime("j", planned, clock),
          "the stall timeout counts from the resume, the deadline is two hours later");
      now.addAndGet(Duration.ofMinutes(1).toMillis());
      JobEvent.Failed stuck = (JobEvent.Failed) aggregator.checkTime("j", planned, clock).events().get(0);
      assertEquals("the job is stuck: no tile finished in the last 600 s with 4 of 4 tiles missing: tiles 0, 1, 2, 3",
          stuck.reason());
      assertEquals(clock, PauseClock.decode(clock.encode()));
    }
  }

  @Test
  void aPausedJobsTimeLimitRunsOutLaterByThePause() {
    AtomicLong now = new AtomicLong(1_000_000);
    try (ImageAssembler assembler = new ImageAssembler(u -> new byte[0], (u, f, c, j) -> { }, dir, 1)) {
      JobAggregator aggregator = new JobAggregator(assembler, () -> Instant.ofEpochMilli(now.get()),
          Duration.ofMillis(250), Duration.ofDays(1), Duration.ZERO);
      JobPlanned planned = new JobPlanned(4, 40, 10, S3Uri.parse("s3://bucket/o.png"), now.get(), now.get() + 60_000);
      PauseClock clock = PauseClock.NONE.pause(now.get() + 10_000).resume(now.get() + 40_000);
      now.addAndGet(89_999);
      assertSame(JobAggregator.Step.NOTHING, aggregator.checkTime("j", planned, clock));
      now.addAndGet(1);
      JobEvent.Failed late = (JobEvent.Failed) aggregator.checkTime("j", planned, clock).events().get(0);
      assertEquals("the job's time limit ran out with 4 of 4 tiles missing: tiles 0, 1, 2, 3", late.reason());
      assertInstanceOf(JobEnded.class, aggregator.checkTime("j", planned).state(), "unpaused, it would have ended");
    }
  }

  @Test
  void missingTilesAreListedThenCounted() {
    assertEquals("tile 7", JobAggregator.describeMissing(List.of(7), 10));
    assertEquals("tiles 1, 5", JobAggregator.describeMissing(List.of(1, 5), 10));
  }
}
