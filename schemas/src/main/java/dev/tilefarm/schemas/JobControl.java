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
    @JsonSubTypes.Type(value = JobControl.Resume.class, name = "RESUME")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface JobControl permits JobControl.Planned, JobControl.Cancel, JobControl.Ended,
    JobControl.Pause, JobControl.Resume {
  String jobId();

  /**
   * The job was accepted and split into {@code tiles} tiles of a {@code width x height} image for
   * {@code output}. {@code deadline} (epoch ms) is absent when the job has no time limit.
   */
  record Planned(String jobId, long acceptedAt, int tiles, int width, int height, S3Uri output, Long deadline)
      implements JobControl {}

  /** Stop the job: skip its remaining tiles, write no output, publish CANCELLED. */
  record Cancel(String jobId, long timestamp, String reason) implements JobControl {}

  /**
   * The compositor ended the job ({@code outcome}: COMPLETED, FAILED or CANCELLED), in the transaction that
   * publishes its terminal event. Workers skip the job's tiles and the compositor's janitor deletes them: both
   * act on this record of the farm's own, never on a job event, which anyone who may write the job events topic
   * could forge.
   */
  record Ended(String jobId, long timestamp, String outcome) implements JobControl {}

  /**
   * The splitter paused the job: it releases none of the job's tiles until {@link Resume}. The compositor stops
   * the job's stall timeout and time limit meanwhile (it owns those clocks).
   */
  record Pause(String jobId, long timestamp) implements JobControl {}

  /** The splitter resumed a paused job: its deadline moves on by the time it was paused. */
  record Resume(String jobId, long timestamp) implements JobControl {}
}
