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
  void missingTilesAreListedThenCounted() {
    assertEquals("tile 7", JobAggregator.describeMissing(List.of(7), 10));
    assertEquals("tiles 1, 5", JobAggregator.describeMissing(List.of(1, 5), 10));
  }
}
