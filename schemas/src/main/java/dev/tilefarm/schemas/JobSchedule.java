package dev.tilefarm.schemas;

import java.util.Objects;

/**
 * A request, on the jobs topic, to change how a running job is scheduled (see {@code job-schedule.schema.json}):
 * {@code {"pause": ID}}, {@code {"resume": ID}} or {@code {"reprioritize": ID, "priority": N}}, keyed by the job id
 * like the job itself. Decoded by {@link JobCodec#scheduleOf}.
 */
public sealed interface JobSchedule permits JobSchedule.Pause, JobSchedule.Resume, JobSchedule.Reprioritize {
  /** The lowest priority a job may have. */
  int MIN_PRIORITY = 0;
  /** The highest priority a job may have. */
  int MAX_PRIORITY = 100;
  /** The priority of a job that names none. */
  int DEFAULT_PRIORITY = 50;

  String jobId();

  /** Release none of the job's pending tiles, and stop its clocks, until it is resumed. */
  record Pause(String jobId) implements JobSchedule {
    public Pause {
      Objects.requireNonNull(jobId, "jobId");
    }
  }

  /** Release a paused job's tiles again. */
  record Resume(String jobId) implements JobSchedule {
    public Resume {
      Objects.requireNonNull(jobId, "jobId");
    }
  }

  /** Give the job a new {@code priority} (from {@link #MIN_PRIORITY} to {@link #MAX_PRIORITY}). */
  record Reprioritize(String jobId, int priority) implements JobSchedule {
    public Reprioritize {
      Objects.requireNonNull(jobId, "jobId");
      if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
        throw new IllegalArgumentException("priority " + priority + " is not from " + MIN_PRIORITY + " to "
            + MAX_PRIORITY);
      }
    }
  }
}
