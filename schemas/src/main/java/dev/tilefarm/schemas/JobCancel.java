package dev.tilefarm.schemas;

import java.util.Objects;

/**
 * A request, on the jobs topic, to stop a job: {@code {"cancel": "JOB_ID", "reason": "..."}}, keyed by the job
 * id like the job itself (see {@code job-cancel.schema.json}). Decoded by {@link JobCodec#cancelOf}.
 *
 * @param jobId the job to stop
 * @param reason why, for people; null when the requester gave none
 */
public record JobCancel(String jobId, String reason) {
  /** Longest reason kept: it is repeated in the CANCELLED event. */
  public static final int MAX_REASON = 1024;

  public JobCancel {
    Objects.requireNonNull(jobId, "jobId");
  }
}
