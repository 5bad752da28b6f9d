package dev.tilefarm.schemas;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a job stands, as the HTTP API's job summaries and the CLI's job list show it; on the wire, its name.
 * SUBMITTED (the API has the job, the splitter has not answered), ACCEPTED (split, no tile finished yet),
 * RUNNING (tiles finishing), then one of the four ends, named as the events that end a job; PAUSED while a
 * job is paused (its PAUSED event until its RESUMED); WAITING (accepted, held until the jobs it is {@code "after"}
 * complete) comes before ACCEPTED.
 */
public enum JobStatus {
  SUBMITTED, ACCEPTED, RUNNING, COMPLETED, FAILED, REJECTED, CANCELLED, PAUSED, WAITING;

  /** Whether the job has ended: one of the four ends. */
  public boolean ended() {
    return switch (this) {
      case SUBMITTED, ACCEPTED, RUNNING, PAUSED, WAITING -> false;
      case COMPLETED, FAILED, REJECTED, CANCELLED -> true;
    };
  }

  /** The statuses a job's events can give it: all but SUBMITTED (a job with no event yet). */
  public static List<JobStatus> fromEvents() {
    return Arrays.stream(values()).filter(s -> s != SUBMITTED).toList();
  }

  /**
   * The status {@code event} moves a job to (before its end; a job's first end is final, which callers keep, until
   * a retry's ACCEPTED), or null for an event that leaves the status as it was (RETRY_REFUSED).
   */
  public static JobStatus after(JobEvent event) {
    return after(null, event);
  }

  /**
   * The status {@code event} moves a job in status {@code prior} (null: none yet) to: as {@link #after(JobEvent)},
   * but a priority change or a refused retry leaves the status as it was.
   */
  public static JobStatus after(JobStatus prior, JobEvent event) {
    return switch (event) {
      case JobEvent.Accepted a -> ACCEPTED;
      case JobEvent.Progress p -> RUNNING;
      case JobEvent.Frame f -> RUNNING;
      case JobEvent.Completed c -> COMPLETED;
      case JobEvent.Failed f -> FAILED;
      case JobEvent.Rejected r -> REJECTED;
      case JobEvent.Cancelled c -> CANCELLED;
      case JobEvent.Paused p -> PAUSED;
      case JobEvent.Resumed r -> RUNNING;
      case JobEvent.Prioritized p -> prior != null ? prior : ACCEPTED;
      case JobEvent.Waiting w -> WAITING;
      // Not an end, and no news of the job's own state: the status the job had (null when none is known).
      case JobEvent.RetryRefused r -> prior;
      case JobEvent.ScheduleRefused r -> prior;
    };
  }

  /** The status named {@code name} in any case, or empty. */
  public static Optional<JobStatus> find(String name) {
    String upper = name.trim().toUpperCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.name().equals(upper)).findFirst();
  }
}
