package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compositor's decisions, free of Kafka: given what is known of a job and one of its tile results, the
 * job's next state and the events to publish. The Kafka edge stores the state and publishes the events in
 * one transaction, which is what makes every decision take effect exactly once.
 *
 * <ul>
 *   <li>A result for a job that has ended, or for a tile that is already done, changes nothing: that is
 *       how duplicates and replays are absorbed.
 *   <li>A failed tile, or a result that is invalid or disagrees with the job's first result, ends the job
 *       with one FAILED event whose reason starts with {@code "tile N: "}.
 *   <li>Any other tile is recorded; PROGRESS is published at most once per {@code progressInterval} per job
 *       (the edge flushes a held-back count later, see {@link #flushProgress}), never for the last tile.
 *   <li>The last tile assembles the image and publishes COMPLETED. An {@link AssemblyFailedException}
 *       publishes FAILED instead; a {@link StorageUnavailableException} propagates, leaving the state as it
 *       was, so the result can be processed again.
 * </ul>
 */
final class JobAggregator {
  private static final Logger log = LoggerFactory.getLogger(JobAggregator.class);

  /**
   * What to do after a result: store {@code state} (null: leave the stored state as it is), publish
   * {@code events} in order, and whether a PROGRESS count was held back by the throttle.
   */
  record Step(JobState state, List<JobEvent> events, boolean progressPending) {
    static final Step NOTHING = new Step(null, List.of(), false);

    Step {
      events = List.copyOf(events);
    }
  }

  private final ImageAssembler assembler;
  private final InstantSource clock;
  private final long progressIntervalMs;
  private final long endedRetentionMs;

  JobAggregator(ImageAssembler assembler, InstantSource clock, Duration progressInterval, Duration endedRetention) {
    this.assembler = assembler;
    this.clock = clock;
    this.progressIntervalMs = progressInterval.toMillis();
    this.endedRetentionMs = endedRetention.toMillis();
  }

  /** Applies {@code result} to {@code prior} (null for a job not seen before). */
  Step accept(String jobId, JobState prior, TileResult result) {
    int index = result.tile().index();
    if (prior instanceof JobEnded ended) {
      log.debug("ignoring tile {}: the job is already {}", index, ended.outcome());
      return Step.NOTHING;
    }
    JobProgress progress = (JobProgress) prior;
    if (progress != null && index < progress.tileCount && progress.isDone(index)) {
      log.debug("ignoring tile {}: it is done already", index);
      return Step.NOTHING;
    }
    if (result instanceof TileResult.Failed failed) {
      String reason = failed.reason() == null || failed.reason().isBlank() ? "no reason given" : failed.reason();
      return fail(jobId, index, "tile " + index + ": " + reason);
    }
    TileResult.Done done = (TileResult.Done) result;
    String invalid = invalid(done);
    if (invalid == null && progress != null) {
      invalid = progress.conflict(done);
    }
    if (invalid != null) {
      return fail(jobId, index, "tile " + index + ": " + invalid);
    }
    long now = clock.millis();
    if (progress == null) {
      progress = JobProgress.start(done, now);
      log.info("first result of the job (tile {} of {}): {}x{}x{} -> {}", index, done.tileCount(), done.imageWidth(),
          done.imageHeight(), done.channels(), done.output());
    }
    progress.add(done);
    if (progress.complete()) {
      return complete(jobId, progress);
    }
    if (progress.lastProgressAt == JobProgress.NEVER || now - progress.lastProgressAt >= progressIntervalMs) {
      progress.lastProgressAt = now;
      return new Step(progress, List.of(progressEvent(jobId, progress, now)), false);
    }
    return new Step(progress, List.of(), true);
  }

  /**
   * Publishes the PROGRESS count the throttle held back, once the interval since the last one has passed.
   * Called by the edge on a timer for jobs whose last {@link Step} had {@code progressPending}.
   */
  Step flushProgress(String jobId, JobState state) {
    if (!(state instanceof JobProgress progress) || progress.complete()) {
      return Step.NOTHING;
    }
    long now = clock.millis();
    if (now - progress.lastProgressAt < progressIntervalMs) {
      return new Step(null, List.of(), true);
    }
    progress.lastProgressAt = now;
    return new Step(progress, List.of(progressEvent(jobId, progress, now)), false);
  }

  /** Whether an ended job's marker has been kept long enough for no duplicate to be expected any more. */
  boolean expired(JobState state) {
    return state instanceof JobEnded ended && clock.millis() - ended.endedAt() >= endedRetentionMs;
  }

  private Step complete(String jobId, JobProgress progress) {
    long start = clock.millis();
    AssembledImage image;
    try {
      image = assembler.assemble(progress.assemblyRequest(jobId));
    } catch (AssemblyFailedException e) {
      log.warn("assembly failed: {}", e.getMessage());
      String reason = (e.tile() == null ? "assembling the image: " : "tile " + e.tile() + ": ") + e.reason();
      return fail(jobId, e.tile(), reason);
    }
    long end = clock.millis();
    long since = progress.acceptedAt > 0 ? progress.acceptedAt : progress.firstSeenAt;
    JobEvent.Timings timings = new JobEvent.Timings(Math.max(0, end - since), progress.renderMs, end - start);
    log.info("completed: {} ({} bytes, sha256 {}) from {} tiles in {} ms; first tile seen {} ms ago", image.output(),
        image.bytes(), image.sha256(), image.tiles(), timings.assemble(), end - progress.firstSeenAt);
    JobEvent completed = new JobEvent.Completed(jobId, end, image.output(), image.format().name(), image.sha256(),
        image.bytes(), image.width(), image.height(), image.tiles(), timings);
    return new Step(new JobEnded(JobEnded.Outcome.COMPLETED, end), List.of(completed), false);
  }

  private Step fail(String jobId, Integer tile, String reason) {
    long now = clock.millis();
    log.warn("failed: {}", reason);
    return new Step(new JobEnded(JobEnded.Outcome.FAILED, now), List.of(new JobEvent.Failed(jobId, now, reason, tile)),
        false);
  }

  private static JobEvent progressEvent(String jobId, JobProgress progress, long now) {
    return new JobEvent.Progress(jobId, now, progress.doneCount, progress.tileCount);
  }

  /** Why {@code r} is not a usable result on its own, or null. */
  private static String invalid(TileResult.Done r) {
    TileRect t = r.tile();
    if (r.tileCount() < 1) {
      return "tileCount " + r.tileCount() + " is not positive";
    }
    if (t.index() >= r.tileCount()) {
      return "the index is outside the job's " + r.tileCount() + " tiles";
    }
    if (r.imageWidth() < 1 || r.imageHeight() < 1) {
      return "image size " + r.imageWidth() + "x" + r.imageHeight() + " is empty";
    }
    if (r.tileCount() > (long) r.imageWidth() * r.imageHeight()) {
      return "tileCount " + r.tileCount() + " is more than the " + r.imageWidth() + "x" + r.imageHeight()
          + " image has pixels";
    }
    if (r.channels() != 1 && r.channels() != 3 && r.channels() != 4) {
      return "channels must be 1, 3 or 4, got " + r.channels();
    }
    if ((long) t.x() + t.width() > r.imageWidth() || (long) t.y() + t.height() > r.imageHeight()) {
      return "its rectangle " + t.width() + "x" + t.height() + " at " + t.x() + "," + t.y() + " reaches outside the "
          + r.imageWidth() + "x" + r.imageHeight() + " image";
    }
    try {
      ImageFormat.forExtension(r.output().extension());
    } catch (IllegalArgumentException e) {
      return "output " + r.output() + ": " + e.getMessage();
    }
    return null;
  }
}
