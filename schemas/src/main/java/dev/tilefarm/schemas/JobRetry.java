package dev.tilefarm.schemas;

import java.util.Objects;

/**
 * A request, on the jobs topic, to run a FAILED or CANCELLED job again under its id: {@code {"retry": "JOB_ID"}},
 * keyed by the job id like the job itself (see {@code job-retry.schema.json}). Decoded by {@link JobCodec#retryOf}.
 *
 * @param jobId the job to run again
 */
public record JobRetry(String jobId) {
  public JobRetry {
    Objects.requireNonNull(jobId, "jobId");
  }
}
