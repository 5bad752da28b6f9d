package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the splitter tells the compositor about a job, keyed by job id on the job control topic (which has
 * the tile results topic's partition count, so a job's control records and tile results meet in one
 * compositor task). The compositor is the one authority on how an accepted job ends; these records give it
 * what tile results alone cannot: that a job exists before any of its tiles is done (so a job none of
 * whose tiles ever comes back is noticed), its deadline, and requests to cancel it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "status")
@JsonSubTypes({
    @JsonSubTypes.Type(value = JobControl.Planned.class, name = "PLANNED"),
    @JsonSubTypes.Type(value = JobControl.Cancel.class, name = "CANCEL"),
    @JsonSubTypes.Type(value = JobControl.Ended.class, name = "ENDED"),
    @JsonSubTypes.Type(value = JobControl.Pause.class, name = "PAUSE"),
    @JsonSubTypes.Type(value = JobControl.Resume.class, name = "RESUME"),
    @JsonSubTypes.Type(value = JobControl.Waiting.class, name = "WAITING")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface JobControl permits JobControl.Planned, JobControl.Cancel, JobControl.Ended,
    JobControl.Pause, JobControl.Resume, JobControl.Waiting {
  String jobId();

  /**
   * The job was accepted and split into {@code tiles} tiles of a {@code width x height} image for
   * {@code output}. {@code deadline} (epoch ms) is absent when the job has no time limit. {@code video}, for an
   * animation that asked for one, is the video the compositor has encoded once every frame is in; for a video job
   * ({@link JobRequest.Encode}), its video, whose one task the splitter sent with the plan. {@code frames}, for an
   * animation, are its frames' numbers (their images at {@code output}): a video job that takes the animation as its
   * input ({@code "input": "job:JOB_ID"}) encodes them once it completed.
   */
  record Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline,
      Integer attempt, String keptTiles, VideoPlan video, JobRequest.Frames frames) implements JobControl {
    /** A first run that makes no video. */
    public Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline) {
      this(jobId, acceptedAt, tiles, width, height, output, deadline, null, null, null);
    }

    /** A run that is no animation. */
    public Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline,
        Integer attempt, String keptTiles, VideoPlan video) {
      this(jobId, acceptedAt, tiles, width, height, output, deadline, attempt, keptTiles, video, null);
    }

    /** A run that makes no video. */
    public Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline,
        Integer attempt, String keptTiles) {
      this(jobId, acceptedAt, tiles, width, height, output, deadline, attempt, keptTiles, null);
    }

    /** A first run. */
    public Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline,
        VideoPlan video) {
      this(jobId, acceptedAt, tiles, width, height, output, deadline, null, null, video);
    }

    /** Which run of the job this is: 1, or from 2 on a retry ({@link JobRetry}). */
    public int attemptNumber() {
      return attempt == null ? 1 : attempt;
    }
  }

  /**
   * The video of an animation: encoded as {@code video} says into {@code uri} from the frames numbered
   * {@code firstFrame}, {@code firstFrame + frameStep}, ... (the job's frames, in order). {@code frames} is set for a
   * video job only ({@link JobRequest.Encode}): how many frames it encodes; its task went out with the plan, so the
   * compositor waits for the video at once (an animation's own video waits for its last frame).
   */
  record VideoPlan(JobRequest.Video video, S3Uri uri, int firstFrame, int frameStep, Integer frames) {
    public VideoPlan {
      java.util.Objects.requireNonNull(video, "video");
      java.util.Objects.requireNonNull(uri, "uri");
      if (frames != null && (frames < 1 || frames > JobRequest.Frames.MAX_FRAMES)) {
        throw new IllegalArgumentException("a video of " + frames + " frames");
      }
    }

    /** An animation's own video. */
    public VideoPlan(JobRequest.Video video, S3Uri uri, int firstFrame, int frameStep) {
      this(video, uri, firstFrame, frameStep, null);
    }

    /** Whether this is a video job's, encoded as soon as it is planned. */
    public boolean ownJob() {
      return frames != null;
    }
  }

  /** Stop the job: skip its remaining tiles, write no output, publish CANCELLED. */
  record Cancel(String jobId, long timestamp, String reason) implements JobControl {}

  /**
   * The compositor ended the job ({@code outcome}: COMPLETED, FAILED or CANCELLED), in the transaction that
   * publishes its terminal event. Workers skip the job's tiles and the compositor's janitor deletes them: both
   * act on this record of the farm's own, never on a job event, which anyone who may write the job events topic
   * could forge. {@code output} is a completed job's single image (absent for an animation), which a job with
   * {@code "input": "job:JOB_ID"} takes. For a FAILED or CANCELLED job, {@code keptTiles} lists the tiles it made
   * ("0-4,7"; "" for none), which are kept for a retry until {@code keptUntil} (the janitor leaves them; when the
   * retention runs out the compositor publishes ENDED again without them and the janitor deletes them).
   * {@code attempt} is the run that ended, from 2 on.
   */
  record Ended(String jobId, long timestamp, String outcome, S3Uri output, Integer attempt, String keptTiles,
      Long keptUntil) implements JobControl {
    public Ended(String jobId, long timestamp, String outcome) {
      this(jobId, timestamp, outcome, null, null, null, null);
    }

    /** Which run of the job ended: 1, or from 2 on a retry. */
    public int attemptNumber() {
      return attempt == null ? 1 : attempt;
    }
  }

  /**
   * The splitter holds the job until the jobs {@code after} it names have completed (see {@link JobLinks}): other
   * partitions' splitters learn from it that the id is known, and which jobs it waits for (to find cycles).
   */
  record Waiting(String jobId, long timestamp, java.util.List<String> after) implements JobControl {
    public Waiting {
      after = java.util.List.copyOf(after);
    }
  }

  /**
   * The splitter paused the job: it releases none of the job's tiles until {@link Resume}. The compositor stops
   * the job's stall timeout and time limit meanwhile (it owns those clocks); workers hand the job's tasks they take
   * back unmade ({@link TileResult.Returned}) until the {@link Resume}.
   */
  record Pause(String jobId, long timestamp) implements JobControl {}

  /** The splitter resumed a paused job: its deadline moves on by the time it was paused. */
  record Resume(String jobId, long timestamp) implements JobControl {}
}
