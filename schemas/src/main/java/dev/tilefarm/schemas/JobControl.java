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
    @JsonSubTypes.Type(value = JobControl.Ended.class, name = "ENDED")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface JobControl permits JobControl.Planned, JobControl.Cancel, JobControl.Ended {
  String jobId();

  /**
   * The job was accepted and split into {@code tiles} tiles of a {@code width x height} image for
   * {@code output}. {@code deadline} (epoch ms) is absent when the job has no time limit. {@code video}, for an
   * animation that asked for one, is the video the compositor has encoded once every frame is in.
   */
  record Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline,
      VideoPlan video) implements JobControl {
    /** A job that makes no video. */
    public Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline) {
      this(jobId, acceptedAt, tiles, width, height, output, deadline, null);
    }
  }

  /**
   * The video of an animation: encoded as {@code video} says into {@code uri} from the frames numbered
   * {@code firstFrame}, {@code firstFrame + frameStep}, ... (the job's frames, in order).
   */
  record VideoPlan(JobRequest.Video video, S3Uri uri, int firstFrame, int frameStep) {
    public VideoPlan {
      java.util.Objects.requireNonNull(video, "video");
      java.util.Objects.requireNonNull(uri, "uri");
    }
  }

  /** Stop the job: skip its remaining tiles, write no output, publish CANCELLED. */
  record Cancel(String jobId, long timestamp, String reason) implements JobControl {}

  /**
   * The compositor ended the job ({@code outcome}: COMPLETED, FAILED or CANCELLED), in the transaction that
   * publishes its terminal event. Workers skip the job's tiles and the compositor's janitor deletes them: both
   * act on this record of the farm's own, never on a job event, which anyone who may write the job events topic
   * could forge.
   */
  record Ended(String jobId, long timestamp, String outcome) implements JobControl {}
}
