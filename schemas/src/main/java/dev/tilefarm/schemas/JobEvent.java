package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * What happened to a job, keyed by job id on the job events topic. Every job ends with exactly one of
 * COMPLETED, FAILED, CANCELLED or REJECTED. {@code timestamp} is epoch milliseconds.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "status")
@JsonSubTypes({
    @JsonSubTypes.Type(value = JobEvent.Accepted.class, name = "ACCEPTED"),
    @JsonSubTypes.Type(value = JobEvent.Progress.class, name = "PROGRESS"),
    @JsonSubTypes.Type(value = JobEvent.Frame.class, name = "FRAME"),
    @JsonSubTypes.Type(value = JobEvent.Completed.class, name = "COMPLETED"),
    @JsonSubTypes.Type(value = JobEvent.Failed.class, name = "FAILED"),
    @JsonSubTypes.Type(value = JobEvent.Rejected.class, name = "REJECTED"),
    @JsonSubTypes.Type(value = JobEvent.Cancelled.class, name = "CANCELLED"),
    @JsonSubTypes.Type(value = JobEvent.Paused.class, name = "PAUSED"),
    @JsonSubTypes.Type(value = JobEvent.Resumed.class, name = "RESUMED"),
    @JsonSubTypes.Type(value = JobEvent.Prioritized.class, name = "PRIORITY"),
    @JsonSubTypes.Type(value = JobEvent.Waiting.class, name = "WAITING"),
    @JsonSubTypes.Type(value = JobEvent.RetryRefused.class, name = "RETRY_REFUSED"),
    @JsonSubTypes.Type(value = JobEvent.ScheduleRefused.class, name = "SCHEDULE_REFUSED")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface JobEvent
    permits JobEvent.Accepted, JobEvent.Progress, JobEvent.Frame, JobEvent.Completed, JobEvent.Failed,
        JobEvent.Rejected, JobEvent.Cancelled, JobEvent.Paused, JobEvent.Resumed, JobEvent.Prioritized,
        JobEvent.Waiting, JobEvent.RetryRefused, JobEvent.ScheduleRefused {
  String jobId();

  long timestamp();

  /** True for the events that end a job. */
  default boolean terminal() {
    return switch (this) {
      case Accepted a -> false;
      case Progress p -> false;
      case Frame f -> false;
      case Completed c -> true;
      case Failed f -> true;
      case Rejected r -> true;
      case Cancelled c -> true;
      case Paused p -> false;
      case Resumed r -> false;
      case Prioritized p -> false;
      case Waiting w -> false;
      case RetryRefused r -> false;
      case ScheduleRefused r -> false;
    };
  }

  /**
   * This event marked as belonging to run {@code attempt} of its job (2 and on are retries, see {@link
   * JobRetry}); attempt 1 is left unmarked. Events that carry no attempt are returned as they are.
   */
  default JobEvent withAttempt(int attempt) {
    Integer a = attempt > 1 ? attempt : null;
    return switch (this) {
      case Accepted e -> new Accepted(e.jobId(), e.timestamp(), e.type(), e.tiles(), e.width(), e.height(), e.output(),
          e.priority(), a);
      case Completed e -> new Completed(e.jobId(), e.timestamp(), e.output(), e.format(), e.sha256(), e.bytes(),
          e.width(), e.height(), e.tiles(), e.timings(), e.frames(), e.logs(), e.report(), a, e.video());
      case Failed e -> new Failed(e.jobId(), e.timestamp(), e.reason(), e.tile(), e.log(), a);
      case Cancelled e -> new Cancelled(e.jobId(), e.timestamp(), e.reason(), a);
      case Progress p -> p;
      case Frame f -> f;
      case Rejected r -> r;
      case Paused p -> p;
      case Resumed r -> r;
      case Prioritized p -> p;
      case Waiting w -> new Waiting(w.jobId(), w.timestamp(), w.waitingOn(), w.priority(), a);
      case RetryRefused r -> r;
      case ScheduleRefused r -> r;
    };
  }

  /**
   * The job was valid and was split into {@code tiles} tiles. {@code priority} is the job's (0 to 100), absent from
   * events written before priorities existed. {@code attempt}, from 2 on, says this is a retry (absent on the first
   * run); a retry's tiles count all the job's tiles, those kept from before included.
   */
  record Accepted(String jobId, long timestamp, String type, int tiles, int width, int height, S3Uri output,
      Integer priority, Integer attempt) implements JobEvent {
    /** Without a priority, a first run. */
    public Accepted(String jobId, long timestamp, String type, int tiles, int width, int height, S3Uri output) {
      this(jobId, timestamp, type, tiles, width, height, output, null, null);
    }

    /** A first run. */
    public Accepted(String jobId, long timestamp, String type, int tiles, int width, int height, S3Uri output,
        Integer priority) {
      this(jobId, timestamp, type, tiles, width, height, output, priority, null);
    }
  }

  /**
   * {@code done} of {@code total} tiles are finished, and {@code fraction} (0 to 1) of the job's work is: the
   * finished tiles plus the parts of unfinished ones that their external renderers (povray, blender) report done,
   * over {@code total}. Published at most every few hundred ms per job; a job's fraction never decreases.
   */
  record Progress(String jobId, long timestamp, int done, int total, double fraction) implements JobEvent {
    public Progress {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("fraction must be from 0 to 1, got " + fraction);
      }
    }

    /** Finished tiles only: {@code fraction} is {@code done / total}. */
    public Progress(String jobId, long timestamp, int done, int total) {
      this(jobId, timestamp, done, total, total > 0 ? Math.min(1, (double) done / total) : 0);
    }
  }

  /**
   * One frame of an animation is assembled: its image is at {@code output} ({@code bytes} long, with that
   * {@code sha256}). Published as soon as the frame's tiles are in, whatever the other frames' state.
   */
  record Frame(String jobId, long timestamp, int frame, S3Uri output, String format, String sha256, long bytes)
      implements JobEvent {}

  /**
   * The image is at {@code output}. For an animation ({@code frames} present: how many images) every frame
   * is in, {@code output} is the job's pattern, {@code bytes} the frames' total, and {@code sha256} absent:
   * each frame's own is in its FRAME event. {@code logs}, when present, is the folder of the renderer's
   * per-tile logs ({@code N.log} for tile N). {@code report}, when present, is the JSON report of a process
   * job's analysis ops ({@code report.schema.json}), stored beside the image. {@code video}, when present, is
   * the video an animation asked for ({@code "video"}), encoded from its frames once all were in.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Completed(String jobId, long timestamp, S3Uri output, String format, String sha256, long bytes, int width,
      int height, int tiles, Timings timings, Integer frames, S3Uri logs, S3Uri report, Integer attempt,
      S3Uri video) implements JobEvent {
    /** The first run's, without a video. */
    public Completed(String jobId, long timestamp, S3Uri output, String format, String sha256, long bytes, int width,
        int height, int tiles, Timings timings, Integer frames, S3Uri logs, S3Uri report) {
      this(jobId, timestamp, output, format, sha256, bytes, width, height, tiles, timings, frames, logs, report, null,
          null);
    }

    /** The first run's. */
    public Completed(String jobId, long timestamp, S3Uri output, String format, String sha256, long bytes, int width,
        int height, int tiles, Timings timings, Integer frames, S3Uri logs, S3Uri report, S3Uri video) {
      this(jobId, timestamp, output, format, sha256, bytes, width, height, tiles, timings, frames, logs, report, null,
          video);
    }

    /** The same event with the animation's video at {@code uri}. */
    public Completed withVideo(long timestamp, S3Uri uri) {
      return new Completed(jobId, timestamp, output, format, sha256, bytes, width, height, tiles, timings, frames, logs,
          report, attempt, uri);
    }

    /** A single image without renderer logs. */
    public Completed(String jobId, long timestamp, S3Uri output, String format, String sha256, long bytes, int width,
        int height, int tiles, Timings timings) {
      this(jobId, timestamp, output, format, sha256, bytes, width, height, tiles, timings, null, null, null);
    }

    /** Without an analysis report. */
    public Completed(String jobId, long timestamp, S3Uri output, String format, String sha256, long bytes, int width,
        int height, int tiles, Timings timings, Integer frames, S3Uri logs) {
      this(jobId, timestamp, output, format, sha256, bytes, width, height, tiles, timings, frames, logs, null);
    }
  }

  /**
   * The job could not be finished; {@code tile} is the failing tile's index, when one tile was the cause, and
   * {@code log} that tile's renderer log, when its renderer keeps one.
   */
  record Failed(String jobId, long timestamp, String reason, Integer tile, S3Uri log, Integer attempt)
      implements JobEvent {
    public Failed(String jobId, long timestamp, String reason, Integer tile) {
      this(jobId, timestamp, reason, tile, null);
    }

    public Failed(String jobId, long timestamp, String reason, Integer tile, S3Uri log) {
      this(jobId, timestamp, reason, tile, log, null);
    }
  }

  /** The job was refused as given; {@code field} names the offending field when one is to blame. */
  record Rejected(String jobId, long timestamp, String field, String reason) implements JobEvent {}

  /**
   * The job was cancelled on request (a cancel message on the jobs topic): its remaining tiles were skipped
   * and no output was written. {@code reason} is the requester's, or a default that says who asked.
   */
  record Cancelled(String jobId, long timestamp, String reason, Integer attempt) implements JobEvent {
    public Cancelled(String jobId, long timestamp, String reason) {
      this(jobId, timestamp, reason, null);
    }
  }

  /**
   * The job was accepted but waits for other jobs ({@code "after"}, or the job of a {@code "job:"} input) to
   * complete: {@code waitingOn} are those not completed yet. It is planned (ACCEPTED) once they all have; it ends
   * FAILED or CANCELLED, naming the job, if one of them fails or is cancelled, or is unknown to the farm.
   * {@code priority} is the job's (absent from events written before it was added); {@code attempt}, from 2 on,
   * says a retry waits (absent on the first run), as on {@link Accepted}.
   */
  record Waiting(String jobId, long timestamp, List<String> waitingOn, Integer priority, Integer attempt)
      implements JobEvent {
    public Waiting {
      waitingOn = List.copyOf(waitingOn);
    }

    /** Without a priority, a first run. */
    public Waiting(String jobId, long timestamp, List<String> waitingOn) {
      this(jobId, timestamp, waitingOn, null, null);
    }
  }

  /**
   * A retry request ({@code {"retry": "JOB_ID"}}) was refused, because the job is not FAILED or CANCELLED
   * ({@code reason} says where it stands). Not an end: the job goes on as it was.
   */
  record RetryRefused(String jobId, long timestamp, String reason) implements JobEvent {}

  /**
   * A schedule request ({@link JobSchedule}: {@code request} is {@code pause}, {@code resume} or {@code priority})
   * changed nothing, for {@code reason}: the job has ended, is not known, is paused already, is not paused, or has
   * that priority already. Not an end: the job goes on as it was.
   */
  record ScheduleRefused(String jobId, long timestamp, String request, String reason) implements JobEvent {
    /** The request's name in this event for {@code schedule}. */
    public static String requestOf(JobSchedule schedule) {
      return switch (schedule) {
        case JobSchedule.Pause p -> "pause";
        case JobSchedule.Resume r -> "resume";
        case JobSchedule.Reprioritize r -> "priority";
      };
    }
  }

  /**
   * The job was paused on request: none of its pending tiles goes to the workers (tiles already handed out
   * finish), and its stall timeout and time limit stop, until it is {@link Resumed}.
   */
  record Paused(String jobId, long timestamp) implements JobEvent {}

  /** A paused job was resumed after {@code pausedMs}: its time limit moved on by as much. */
  record Resumed(String jobId, long timestamp, long pausedMs) implements JobEvent {}

  /** The priority of a running job was changed to {@code priority} on request. */
  record Prioritized(String jobId, long timestamp, int priority) implements JobEvent {}

  /**
   * Where a completed job's time went, in milliseconds: {@code total} from acceptance to completion,
   * {@code render} summed over tiles (CPU-side work of all workers), {@code assemble} in the compositor.
   */
  record Timings(long total, long render, long assemble) {}
}
