package dev.tilefarm.compositor;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRanges;
import dev.tilefarm.schemas.TileResult;
import java.time.Duration;
import java.time.InstantSource;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compositor's decisions about a job's runs, free of Kafka (see {@link JobRun}).
 *
 * <ul>
 *   <li>A run that ends FAILED or CANCELLED keeps its done tiles (their state and checked digests here, their
 *       objects in storage) for {@code retention}; its ENDED record lists them, so the janitor leaves them and a
 *       retry makes only the others. The tile a FAILED names is not kept: it may be the bad one.
 *   <li>A retry's PLANNED (attempt 2 and on) takes the kept tiles back and goes on from there; one whose kept tiles
 *       are gone (their retention ran out as it came) ends FAILED saying so: the next retry makes every tile.
 *   <li>While a retry runs, a FAILED tile result of an earlier run (another acceptedAt) is ignored.
 *   <li>When the retention runs out, the kept tiles are let go: ENDED again, without them, for the janitor.
 * </ul>
 */
final class RetryKeeper {
  private static final Logger log = LoggerFactory.getLogger(RetryKeeper.class);

  /** What to do at a run's end: store {@code run} (null: delete it), publish {@code control}. */
  record Ending(JobRun run, JobControl.Ended control) {}

  /** What to do at a retry's plan: store {@code run}; apply {@code step}; forget the old digests if asked. */
  record Restart(JobRun run, JobAggregator.Step step, boolean forgetDigests) {}

  private final JobAggregator aggregator;
  private final InstantSource clock;
  private final Duration retention;

  RetryKeeper(JobAggregator aggregator, InstantSource clock, Duration retention) {
    this.aggregator = aggregator;
    this.clock = clock;
    this.retention = retention;
  }

  Duration retention() {
    return retention;
  }

  /**
   * The job ended as {@code ended} after {@code events}, its state having been {@code before}; {@code run} is its
   * run (null: a first run the compositor kept nothing of).
   */
  Ending ended(String jobId, JobEnded ended, JobState before, JobRun run, List<JobEvent> events) {
    int attempt = run == null ? 1 : run.attempt();
    Integer attemptField = attempt > 1 ? attempt : null;
    if (ended.outcome() == JobEnded.Outcome.COMPLETED) {
      S3Uri output = events.stream().filter(e -> e instanceof JobEvent.Completed c && c.frames() == null)
          .map(e -> ((JobEvent.Completed) e).output()).findFirst().orElse(null);
      return new Ending(null, new JobControl.Ended(jobId, ended.endedAt(), ended.outcome().name(), output,
          attemptField, null, null));
    }
    JobProgress kept = before instanceof JobProgress p && p.output != null && p.doneCount > 0 ? p : null;
    Integer badTile = events.stream().filter(e -> e instanceof JobEvent.Failed).map(e -> ((JobEvent.Failed) e).tile())
        .filter(t -> t != null).findFirst().orElse(null);
    if (kept != null && badTile != null && badTile >= 0 && badTile < kept.tileCount && kept.isDone(badTile)) {
      kept.done.clear(badTile);
      kept.doneCount--;
    }
    if (kept != null && kept.doneCount == 0) {
      kept = null;
    }
    String keptTiles = kept == null ? "" : TileRanges.format(kept.done);
    Long until = kept == null ? null : ended.endedAt() + retention.toMillis();
    if (kept != null) {
      log.info("keeping {} done tiles ({}) for a retry until {}", kept.doneCount, keptTiles,
          java.time.Instant.ofEpochMilli(until));
    }
    long acceptedAt = run != null ? run.acceptedAt() : 0;
    return new Ending(new JobRun(attempt, acceptedAt, ended.outcome(), ended.endedAt(), kept),
        new JobControl.Ended(jobId, ended.endedAt(), ended.outcome().name(), null, attemptField, keptTiles, until));
  }

  /** A retry's plan: the job runs again from its kept tiles, or from none. */
  Restart retried(String jobId, JobRun run, JobControl.Planned planned, IntFunction<String> digests) {
    JobRun running = new JobRun(planned.attemptNumber(), planned.acceptedAt(), null, 0, null);
    BitSet wanted = TileRanges.parse(planned.keptTiles());
    JobProgress kept = run == null ? null : run.kept();
    if (wanted.isEmpty()) {
      log.info("attempt {}: every tile is made again", planned.attemptNumber());
      return new Restart(running, aggregator.planned(jobId, null, planned, digests), true);
    }
    BitSet missing = (BitSet) wanted.clone();
    if (kept != null) {
      missing.andNot(kept.done);
    }
    if (kept == null || !missing.isEmpty() || kept.tileCount != planned.tiles()) {
      long now = clock.millis();
      String reason = "the tiles kept from attempt " + (planned.attemptNumber() - 1) + " for this retry are gone "
          + "(kept for " + retention.toSeconds() + " s); retry again to make every tile";
      log.warn("attempt {}: {}", planned.attemptNumber(), reason);
      return new Restart(running, new JobAggregator.Step(new JobEnded(JobEnded.Outcome.FAILED, now),
          List.of(new JobEvent.Failed(jobId, now, reason, null)), false), true);
    }
    log.info("attempt {}: {} of {} tiles kept from before", planned.attemptNumber(), kept.doneCount, kept.tileCount);
    kept.deadline = planned.deadline() == null ? 0 : planned.deadline();
    kept.lastTileAt = clock.millis();
    kept.lastProgressAt = JobProgress.NEVER;
    if (kept.complete() && kept.frameTiles == 0) {
      // Every tile was in (the image could not be written): the plan assembles it now.
      kept.output = null;
      return new Restart(running, aggregator.planned(jobId, kept, planned, digests), false);
    }
    kept.output = planned.output();
    return new Restart(running, new JobAggregator.Step(kept, List.of(), false), false);
  }

  /** Whether {@code failed} is a result of an earlier run than {@code run}, which is under way. */
  static boolean stale(JobRun run, TileResult.Failed failed) {
    return run != null && run.outcome() == null && run.attempt() > 1 && failed.acceptedAt() != run.acceptedAt();
  }

  /** Whether an ended run's kept tiles are past their retention. */
  boolean expired(JobRun run) {
    return run.outcome() != null && clock.millis() - run.endedAt() >= retention.toMillis();
  }

  /** The ENDED that lets an expired run's kept tiles go (for the janitor; a retry now makes every tile). */
  static JobControl.Ended release(String jobId, JobRun run) {
    return new JobControl.Ended(jobId, run.endedAt(), run.outcome().name(), null,
        run.attempt() > 1 ? run.attempt() : null, null, null);
  }
}
