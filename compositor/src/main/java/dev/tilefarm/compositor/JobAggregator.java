package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.IntFunction;
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
 *   <li>A worker's PROGRESS report on a tile it is still making ({@link #tileProgress}) raises the job's
 *       PROGRESS fraction, throttled alike; it is ignored for a tile that is done or a job that is unknown or
 *       has ended, and a job's fraction never decreases.
 *   <li>The output location is the splitter's plan's, never a result's. A job whose tiles are all in before its
 *       plan (the two topics are not ordered) waits for the plan, which then assembles it.
 *   <li>The last tile assembles the image and publishes COMPLETED. Each tile's bytes must still have the sha256
 *       its result was checked against ({@link TileCheck}, the {@code digests}). An {@link AssemblyFailedException}
 *       publishes FAILED instead; a {@link StorageUnavailableException} propagates, leaving the state as it
 *       was, so the result can be processed again.
 *   <li>The splitter's PLANNED record makes a job known before any of its tiles is in; a CANCEL ends a job
 *       that has not ended with one CANCELLED event.
 *   <li>A job that is not finished by its deadline, or that has had no new tile for {@code stallTimeout},
 *       ends FAILED with the tiles it was missing ({@link #checkTime}, on the edge's timer).
 * </ul>
 */
final class JobAggregator {
  private static final Logger log = LoggerFactory.getLogger(JobAggregator.class);

  /**
   * What to do after a result: store {@code state} (null: leave the stored state as it is), publish
   * {@code events} in order, and whether a PROGRESS count was held back by the throttle; {@code tasks} are tasks
   * to send in the same transaction (an animation's video task, on the ffmpeg lane).
   */
  record Step(JobState state, List<JobEvent> events, boolean progressPending, List<TileTask> tasks) {
    static final Step NOTHING = new Step(null, List.of(), false);

    Step {
      events = List.copyOf(events);
      tasks = List.copyOf(tasks);
    }

    Step(JobState state, List<JobEvent> events, boolean progressPending) {
      this(state, events, progressPending, List.of());
    }
  }

  private final ImageAssembler assembler;
  /** Writes analysis reports of process jobs; null where no object storage is at hand (unit tests). */
  private Reports reports;
  private final InstantSource clock;
  private final long progressIntervalMs;
  private final long endedRetentionMs;
  private final long stallTimeoutMs;
  /** Missing tiles named one by one in a reason; more are counted. */
  static final int LISTED_MISSING = 32;

  JobAggregator(ImageAssembler assembler, InstantSource clock, Duration progressInterval, Duration endedRetention) {
    this(assembler, clock, progressInterval, endedRetention, Duration.ZERO);
  }

  /** @param stallTimeout how long a job may go without a new tile before it is failed as stuck; 0: forever */
  JobAggregator(ImageAssembler assembler, InstantSource clock, Duration progressInterval, Duration endedRetention,
      Duration stallTimeout) {
    this.assembler = assembler;
    this.clock = clock;
    this.progressIntervalMs = progressInterval.toMillis();
    this.endedRetentionMs = endedRetention.toMillis();
    this.stallTimeoutMs = stallTimeout.toMillis();
  }

  /** Writes the analysis report of completed process jobs that have one. */
  JobAggregator withReports(Reports reports) {
    this.reports = reports;
    return this;
  }

  /** The splitter accepted the job: remember it, so that it ends even if none of its tiles ever comes in. */
  Step planned(String jobId, JobState prior, JobControl.Planned planned) {
    return planned(jobId, prior, planned, i -> null);
  }

  /**
   * The splitter accepted the job. Tiles that came in before the plan waited for its output: the frames they
   * complete are assembled now, and the image if they are all in.
   *
   * @param digests the checked sha256 of each tile of the job, by index
   */
  Step planned(String jobId, JobState prior, JobControl.Planned planned, IntFunction<String> digests) {
    long deadline = planned.deadline() == null ? 0 : planned.deadline();
    if (prior == null && planned.video() != null && planned.video().ownJob()) {
      return VideoStep.planned(jobId, planned); // a video job: its one task, the video, is out already
    }
    if (prior == null) {
      log.info("planned: {} tiles of a {}x{} image -> {}{}", planned.tiles(), planned.width(), planned.height(),
          planned.output(), deadline == 0 ? "" : ", deadline " + java.time.Instant.ofEpochMilli(deadline));
      return new Step(new JobPlanned(planned.tiles(), planned.width(), planned.height(), planned.output(),
          planned.acceptedAt(), deadline).withVideo(planned.video()), List.of(), false);
    }
    if (prior instanceof JobProgress progress && progress.output == null) {
      progress.video = planned.video();
      // Tiles overtook the plan (two topics, no order between them): the plan brings the output and deadline.
      if (progress.deadline == 0) {
        progress.deadline = deadline;
      }
      progress.output = planned.output();
      log.info("planned after {} of its {} tiles came in -> {}", progress.doneCount, progress.tileCount,
          planned.output());
      return afterPlan(jobId, progress, digests);
    }
    return Step.NOTHING;
  }

  /** A cancel request: ends the job with CANCELLED unless it has ended already. */
  Step cancel(String jobId, JobState prior, JobControl.Cancel cancel) {
    if (prior instanceof JobEnded ended) {
      log.info("ignoring a cancel request: the job is already {}", ended.outcome());
      return Step.NOTHING;
    }
    long now = clock.millis();
    String reason = cancel.reason() == null || cancel.reason().isBlank() ? "cancelled on request" : cancel.reason();
    log.info("cancelled: {}", reason);
    return new Step(new JobEnded(JobEnded.Outcome.CANCELLED, now),
        List.of(new JobEvent.Cancelled(jobId, now, reason)), false);
  }

  /**
   * Ends a job that ran out of time: past its deadline, or without a new tile for the stall timeout. Its
   * FAILED reason lists the tiles it was missing. Called by the edge on a timer for every unfinished job.
   */
  Step checkTime(String jobId, JobState state) {
    return checkTime(jobId, state, PauseClock.NONE);
  }

  /**
   * As {@link #checkTime(String, JobState)} for a job that may have been paused: while it is, neither clock runs;
   * after, its deadline is later by the time it was paused and its stall timeout counts from the resume.
   */
  Step checkTime(String jobId, JobState state, PauseClock pauses) {
    if (pauses.paused()) {
      return Step.NOTHING;
    }
    long now = clock.millis();
    // What the checks read of an unfinished job; null missing means all tiles.
    record Unfinished(long deadline, long lastActivity, int tileCount, List<Integer> missing) {}
    if (state instanceof JobEncoding e) {
      return encodingTime(jobId, e, now);
    }
    Unfinished unfinished = switch (state) {
      case JobPlanned p -> new Unfinished(p.deadline(), p.acceptedAt(), p.tileCount(), null);
      case JobEncoding e -> null; // timed above
      // A job whose tiles are all in but whose plan never came is stuck too.
      case JobProgress p when !p.complete() || p.output == null ->
          new Unfinished(p.deadline, Math.max(p.lastTileAt, p.firstSeenAt), p.tileCount, p.missing());
      case JobProgress p -> null;
      case JobEnded e -> null;
      case null -> null;
    };
    if (unfinished == null) {
      return Step.NOTHING;
    }
    long deadline = pauses.deadline(unfinished.deadline());
    long lastActivity = pauses.lastActivity(unfinished.lastActivity());
    int tileCount = unfinished.tileCount();
    List<Integer> missing = unfinished.missing();
    String why;
    if (deadline > 0 && now >= deadline) {
      why = "the job's time limit ran out";
    } else if (stallTimeoutMs > 0 && now - lastActivity >= stallTimeoutMs) {
      why = "the job is stuck: no tile finished in the last " + Duration.ofMillis(now - lastActivity).toSeconds()
          + " s";
    } else {
      return Step.NOTHING;
    }
    if (missing != null && missing.isEmpty()) {
      return fail(jobId, null, why + " with all " + tileCount + " tiles in but no plan naming its output");
    }
    return fail(jobId, null, why + " with " + (missing == null ? tileCount : missing.size()) + " of " + tileCount
        + " tiles missing: " + describeMissing(missing, tileCount));
  }

  /** "tiles 3, 4, 9" or "tiles 0, 1, ... and 68 more"; null missing means all tiles. */
  static String describeMissing(List<Integer> missing, int tileCount) {
    int n = missing == null ? tileCount : missing.size();
    StringBuilder b = new StringBuilder(n == 1 ? "tile " : "tiles ");
    for (int i = 0; i < Math.min(n, LISTED_MISSING); i++) {
      b.append(i == 0 ? "" : ", ").append(missing == null ? i : missing.get(i));
    }
    if (n > LISTED_MISSING) {
      b.append(" and ").append(n - LISTED_MISSING).append(" more");
    }
    return b.toString();
  }

  /**
   * Applies {@code result} to {@code prior} (null for a job not seen before); {@code inTile} is what the workers
   * said of the tiles they are making, which a PROGRESS result updates and a DONE one settles.
   */
  Step accept(String jobId, JobState prior, TileResult result, InTileProgress inTile) {
    return accept(jobId, prior, result, inTile, i -> null);
  }

  /**
   * As {@link #accept(String, JobState, TileResult, InTileProgress)}; {@code digests} gives the checked sha256 of
   * each done tile of the job by index (including {@code result}'s), which its bytes must still have when the
   * image is assembled.
   */
  Step accept(String jobId, JobState prior, TileResult result, InTileProgress inTile, IntFunction<String> digests) {
    int index = result.tile().index();
    if (prior instanceof JobEnded ended) {
      log.debug("ignoring tile {}: the job is already {}", index, ended.outcome());
      return Step.NOTHING;
    }
    if (prior instanceof JobEncoding encoding) {
      return whileEncoding(jobId, encoding, result);
    }
    JobPlanned planned = prior instanceof JobPlanned p ? p : null;
    JobProgress progress = prior instanceof JobProgress p ? p : null;
    if (progress != null && index < progress.tileCount && progress.isDone(index)) {
      log.debug("ignoring tile {}: it is done already", index);
      return Step.NOTHING;
    }
    TileResult.Done done;
    switch (result) {
      case TileResult.Progress report -> {
        return tileProgress(jobId, prior, report, inTile);
      }
      case TileResult.Failed failed -> {
        String reason = failed.reason() == null || failed.reason().isBlank() ? "no reason given" : failed.reason();
        long now = clock.millis();
        log.warn("failed: tile {}: {}", index, reason);
        return new Step(new JobEnded(JobEnded.Outcome.FAILED, now), List.of(new JobEvent.Failed(jobId, now,
            "tile " + index + ": " + reason, index, failed.log())), false);
      }
      case TileResult.Done d -> done = d;
      case TileResult.Encoded e -> {
        log.warn("ignoring a video of job {}: the job makes none, or its frames are not all in", jobId);
        return Step.NOTHING;
      }
      case TileResult.Returned r -> {
        return Step.NOTHING; // handed back unmade, for the splitter to release again: nothing done or failed
      }
    }
    String invalid = invalid(done);
    if (invalid == null && progress != null) {
      invalid = progress.conflict(done);
    }
    if (invalid == null && planned != null) {
      invalid = conflict(planned, done);
    }
    if (invalid != null) {
      return fail(jobId, index, "tile " + index + ": " + invalid);
    }
    long now = clock.millis();
    if (progress == null) {
      progress = JobProgress.start(done, now, planned == null ? null : planned.output());
      progress.deadline = planned == null ? 0 : planned.deadline();
      progress.video = planned == null ? null : planned.video();
      if (planned != null) {
        // In-tile progress may have been published while the job was only planned: keep its throttle and floor.
        progress.lastProgressAt = planned.lastProgressAt();
        progress.reported = planned.reported();
      }
      log.info("first result of the job (tile {} of {}): {}x{}x{} -> {}", index, done.tileCount(), done.imageWidth(),
          done.imageHeight(), done.channels(), progress.output == null ? "(output from the plan, not in yet)"
          : progress.output);
    }
    progress.add(done);
    progress.lastTileAt = now;
    inTile.tileDone(jobId, index);
    if (progress.frameTiles > 0 && done.frame() == null) {
      return fail(jobId, index, "tile " + index + ": a tile of an animation has no frame number");
    }
    if (progress.output == null) {
      if (progress.frameTiles > 0) {
        progress.frameNumbers.put(index / progress.frameTiles, done.frame()); // for the frames' outputs, later
      }
      if (progress.complete()) {
        log.info("all {} tiles are in; the image waits for the job's plan, which names its output",
            progress.tileCount);
      }
      return due(progress.lastProgressAt, now) && !progress.complete()
          ? new Step(progress, List.of(progressEvent(jobId, progress, inTile, now)), false)
          : new Step(progress, List.of(), !progress.complete());
    }
    JobEvent frameEvent = null;
    if (progress.frameTiles > 0 && progress.frameComplete(index / progress.frameTiles)) {
      // This tile was its frame's last: the frame's image is written now, whatever the other frames' state.
      Object frame = assembleFrame(jobId, progress, index / progress.frameTiles, done.frame(), digests);
      if (frame instanceof Step failed) {
        return failed;
      }
      frameEvent = (JobEvent) frame;
      if (progress.complete()) {
        return completeAnimation(jobId, progress, frameEvent, done);
      }
    } else if (progress.complete()) {
      return complete(jobId, progress, logsOf(done), digests);
    }
    if (frameEvent != null) {
      return new Step(progress, List.of(frameEvent, progressEvent(jobId, progress, inTile, now)), false);
    }
    if (due(progress.lastProgressAt, now)) {
      return new Step(progress, List.of(progressEvent(jobId, progress, inTile, now)), false);
    }
    return new Step(progress, List.of(), true);
  }

  /**
   * A worker's report of how far it is with a tile it is still making. It is advisory, so one that does not fit
   * the job is ignored rather than failing it; one that raises the job's fraction makes a PROGRESS event, or
   * one held back by the throttle like a tile count. The caller has ruled out ended jobs and done tiles.
   */
  private Step tileProgress(String jobId, JobState prior, TileResult.Progress report, InTileProgress inTile) {
    int index = report.tile().index();
    // What a progress report is counted against.
    record Counted(int tileCount, long lastProgressAt, int done, double reported) {}
    Counted counted = switch (prior) {
      case JobProgress p -> new Counted(p.tileCount, p.lastProgressAt, p.doneCount, p.reported);
      case JobPlanned p -> new Counted(p.tileCount(), p.lastProgressAt(), 0, p.reported());
      // Not planned yet (its plan is on the other topic) or forgotten long ago: nothing to count it against.
      case JobEnded e -> null;
      case JobEncoding e -> null; // every frame is in: the video is no tile
      case null -> null;
    };
    if (counted == null) {
      log.debug("ignoring progress of tile {}: the job is not known", index);
      return Step.NOTHING;
    }
    int tileCount = counted.tileCount();
    long lastProgressAt = counted.lastProgressAt();
    int done = counted.done();
    double reported = counted.reported();
    if (report.tileCount() != tileCount || index >= tileCount) {
      log.debug("ignoring progress of tile {} of {}: the job has {} tiles", index, report.tileCount(), tileCount);
      return Step.NOTHING;
    }
    if (!inTile.report(jobId, index, report.fraction()) || fraction(done, tileCount, inTile.sum(jobId), reported)
        <= reported) {
      return Step.NOTHING;
    }
    long now = clock.millis();
    if (!due(lastProgressAt, now)) {
      return new Step(null, List.of(), true);
    }
    return publishProgress(jobId, prior, inTile, now);
  }

  /**
   * Publishes the PROGRESS the throttle held back, once the interval since the last one has passed.
   * Called by the edge on a timer for jobs whose last {@link Step} had {@code progressPending}.
   */
  Step flushProgress(String jobId, JobState state, InTileProgress inTile) {
    Long lastProgressAt = switch (state) {
      case JobProgress progress when !progress.complete() -> progress.lastProgressAt;
      case JobPlanned planned -> planned.lastProgressAt();
      case JobProgress progress -> null;
      case JobEnded ended -> null;
      case JobEncoding encoding -> null;
      case null -> null;
    };
    if (lastProgressAt == null) {
      return Step.NOTHING;
    }
    long now = clock.millis();
    if (!due(lastProgressAt, now)) {
      return new Step(null, List.of(), true);
    }
    return publishProgress(jobId, state, inTile, now);
  }

  /** A PROGRESS event of a planned or unfinished job, with the job's new state. */
  private Step publishProgress(String jobId, JobState state, InTileProgress inTile, long now) {
    return switch (state) {
      case JobProgress progress -> new Step(progress, List.of(progressEvent(jobId, progress, inTile, now)), false);
      case JobPlanned planned -> {
        double fraction = fraction(0, planned.tileCount(), inTile.sum(jobId), planned.reported());
        yield new Step(planned.withProgress(now, fraction),
            List.of(new JobEvent.Progress(jobId, now, 0, planned.tileCount(), fraction)), false);
      }
      case JobEnded ended -> throw new IllegalStateException("no progress of an ended job");
      case JobEncoding encoding -> throw new IllegalStateException("no tile progress of a job encoding its video");
    };
  }

  /** Whether the throttle lets a PROGRESS event out now, the last one having gone out at {@code lastProgressAt}. */
  private boolean due(long lastProgressAt, long now) {
    return lastProgressAt == JobProgress.NEVER || now - lastProgressAt >= progressIntervalMs;
  }

  /**
   * The job's fraction done: its finished tiles and the reported parts of the others over its tile count, and
   * never below what its last PROGRESS event said.
   */
  private static double fraction(int done, int tileCount, double inTile, double reported) {
    return Math.max(reported, Math.min(1, (done + inTile) / tileCount));
  }

  /** Whether an ended job's marker has been kept long enough for no duplicate to be expected any more. */
  boolean expired(JobState state) {
    return state instanceof JobEnded ended && clock.millis() - ended.endedAt() >= endedRetentionMs;
  }

  /**
   * Assembles frame {@code f} (from 0) of an animation whose tiles are all in: its FRAME event, or the
   * {@link Step} that fails the job.
   */
  private Object assembleFrame(String jobId, JobProgress progress, int f, Integer number,
      IntFunction<String> digests) {
    int first = f * progress.frameTiles;
    S3Uri frameOutput;
    try {
      frameOutput = JobRequest.Frames.outputOf(progress.output, number);
    } catch (IllegalArgumentException e) {
      return fail(jobId, first, "tile " + first + ": output " + progress.output + ": " + e.getMessage());
    }
    AssembledImage image;
    try {
      image = assembler.assemble(progress.frameAssemblyRequest(jobId, f, frameOutput, digests));
    } catch (AssemblyFailedException e) {
      log.warn("assembly of frame {} failed: {}", number, e.getMessage());
      return fail(jobId, e.tile(), (e.tile() == null ? "assembling frame " + number + ": " : "tile " + e.tile()
          + ": ") + e.reason());
    }
    progress.frameBytes += image.bytes();
    log.info("frame {} assembled: {} ({} bytes)", number, image.output(), image.bytes());
    return new JobEvent.Frame(jobId, clock.millis(), number, image.output(), image.format().name(), image.sha256(),
        image.bytes());
  }

  /** The plan came in after some tiles: assembles what waited for its output. */
  private Step afterPlan(String jobId, JobProgress progress, IntFunction<String> digests) {
    if (progress.frameTiles == 0) {
      return progress.complete() ? complete(jobId, progress, null, digests) : new Step(progress, List.of(), false);
    }
    List<JobEvent> events = new java.util.ArrayList<>();
    for (int f = 0; f < progress.tileCount / progress.frameTiles; f++) {
      if (progress.frameComplete(f)) {
        Object frame = assembleFrame(jobId, progress, f, progress.frameNumbers.get(f), digests);
        if (frame instanceof Step failed) {
          return failed;
        }
        events.add((JobEvent) frame);
      }
    }
    progress.frameNumbers.clear();
    if (progress.complete()) {
      Step done = completeAnimation(jobId, progress, events.remove(events.size() - 1), null);
      events.addAll(done.events());
      return new Step(done.state(), events, false);
    }
    return new Step(progress, events, false);
  }

  /** The last frame of an animation is in (and assembled): COMPLETED, after that frame's FRAME event. */
  private Step completeAnimation(String jobId, JobProgress progress, JobEvent frameEvent, TileResult.Done last) {
    long end = clock.millis();
    long since = progress.acceptedAt > 0 ? progress.acceptedAt : progress.firstSeenAt;
    JobEvent.Timings timings = new JobEvent.Timings(Math.max(0, end - since), progress.renderMs, 0);
    int frames = progress.tileCount / progress.frameTiles;
    log.info("completed: {} frames -> {} ({} bytes)", frames, progress.output, progress.frameBytes);
    JobEvent.Completed completed = new JobEvent.Completed(jobId, end, progress.output,
        ImageFormat.forExtension(progress.output.extension()).name(), null, progress.frameBytes, progress.width,
        progress.height, progress.tileCount, timings, frames, logsOf(last), null);
    if (progress.video != null) {
      return VideoStep.start(jobId, progress, completed, frameEvent, since, end);
    }
    return new Step(new JobEnded(JobEnded.Outcome.COMPLETED, end), List.of(frameEvent, completed), false);
  }

  /**
   * A result of a job whose video is being encoded: its ENCODED result completes it (COMPLETED naming the video),
   * a FAILED one fails it; late tiles and progress reports are ignored.
   */
  private Step whileEncoding(String jobId, JobEncoding encoding, TileResult result) {
    long now = clock.millis();
    return switch (result) {
      case TileResult.Encoded e -> VideoStep.encoded(jobId, encoding, e, now);
      case TileResult.Failed f -> {
        String reason = f.reason() == null || f.reason().isBlank() ? "no reason given" : f.reason();
        log.warn("failed: the video: {}", reason);
        yield new Step(new JobEnded(JobEnded.Outcome.FAILED, now), List.of(new JobEvent.Failed(jobId, now,
            "video " + encoding.video() + ": " + reason, null, f.log())), false);
      }
      case TileResult.Done d -> Step.NOTHING;
      case TileResult.Progress p -> Step.NOTHING;
      case TileResult.Returned r -> Step.NOTHING;
    };
  }

  /** A job whose video is being encoded ran out of time, or no worker took the video for the stall timeout. */
  private Step encodingTime(String jobId, JobEncoding e, long now) {
    if (e.deadline() > 0 && now >= e.deadline()) {
      return fail(jobId, null, "the job's time limit ran out while its video " + e.video() + " was encoded");
    }
    if (stallTimeoutMs > 0 && now - e.startedAt() >= stallTimeoutMs) {
      return fail(jobId, null, "the job is stuck: its video " + e.video() + " was not encoded in "
          + Duration.ofMillis(now - e.startedAt()).toSeconds() + " s (is a worker with ffmpeg running?)");
    }
    return Step.NOTHING;
  }

  /** The folder of the job's renderer logs, from a result that links one, or null. */
  private static S3Uri logsOf(TileResult.Done r) {
    if (r == null || r.log() == null) {
      return null;
    }
    String key = r.log().key();
    return new S3Uri(r.log().bucket(), key.substring(0, key.lastIndexOf('/') + 1));
  }

  /** @param logs the folder of the job's renderer logs, or null */
  private Step complete(String jobId, JobProgress progress, S3Uri logs, IntFunction<String> digests) {
    long start = clock.millis();
    AssembledImage image;
    try {
      image = assembler.assemble(progress.assemblyRequest(jobId, digests));
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
    S3Uri report;
    try {
      report = reports == null ? null : reports.write(jobId, image.output(), progress.tileCount, image.width(),
          image.height());
    } catch (AssemblyFailedException e) {
      return fail(jobId, e.tile(), "tile " + e.tile() + ": " + e.reason());
    }
    JobEvent completed = new JobEvent.Completed(jobId, end, image.output(), image.format().name(), image.sha256(),
        image.bytes(), image.width(), image.height(), image.tiles(), timings, null, logs, report);
    return new Step(new JobEnded(JobEnded.Outcome.COMPLETED, end), List.of(completed), false);
  }

  Step fail(String jobId, Integer tile, String reason) {
    long now = clock.millis();
    log.warn("failed: {}", reason);
    return new Step(new JobEnded(JobEnded.Outcome.FAILED, now), List.of(new JobEvent.Failed(jobId, now, reason, tile)),
        false);
  }

  /** The job's PROGRESS event now, noted in {@code progress} for the throttle and as the fraction's floor. */
  private static JobEvent progressEvent(String jobId, JobProgress progress, InTileProgress inTile, long now) {
    double fraction = fraction(progress.doneCount, progress.tileCount, inTile.sum(jobId), progress.reported);
    progress.lastProgressAt = now;
    progress.reported = fraction;
    return new JobEvent.Progress(jobId, now, progress.doneCount, progress.tileCount, fraction);
  }

  /** Why {@code r} cannot belong to the job the splitter planned, or null if it can. */
  private static String conflict(JobPlanned p, TileResult.Done r) {
    if (r.tileCount() != p.tileCount()) {
      return "tileCount " + r.tileCount() + " conflicts with the " + p.tileCount() + " tiles the job was split into";
    }
    if (r.imageWidth() != p.width() || r.imageHeight() != p.height()) {
      return "image size " + r.imageWidth() + "x" + r.imageHeight() + " conflicts with the planned " + p.width() + "x"
          + p.height();
    }
    return null;
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
    return null;
  }
}
