package dev.tilefarm.splitter;

import dev.tilefarm.schemas.JobSchedule;

/**
 * Why a schedule request ({@link JobSchedule}) changes nothing, for its SCHEDULE_REFUSED event; null when it
 * changes something. Free of Kafka.
 */
final class ScheduleRefusals {
  private ScheduleRefusals() {}

  /**
   * The refusal of {@code request} for a job the dispatcher holds as {@code job} (null: not held), or, while it waits
   * for other jobs, paused ({@code waitingPaused}) and of priority {@code waitingPriority}.
   *
   * @param job the running job as the dispatcher holds it, or null
   * @param waiting whether the job is held waiting for other jobs (then {@code job} is null)
   * @param known what the farm's job outcomes say of it (null: nothing), for a job neither running nor waiting here
   */
  static String refusal(String jobId, JobSchedule request, QueuedJob job, boolean waiting, boolean waitingPaused,
      int waitingPriority, JobOutcomes.Known known) {
    if (job == null && !waiting) {
      return notHeld(jobId, request, known);
    }
    boolean paused = job != null ? job.paused() : waitingPaused;
    int priority = job != null ? job.priority() : waitingPriority;
    return switch (request) {
      case JobSchedule.Pause p -> paused ? "job '" + jobId + "' is paused already" : null;
      case JobSchedule.Resume r -> paused ? null : "job '" + jobId + "' is not paused";
      case JobSchedule.Reprioritize r -> r.priority() == priority
          ? "job '" + jobId + "' has priority " + priority + " already" : null;
    };
  }

  private static String notHeld(String jobId, JobSchedule request, JobOutcomes.Known known) {
    String only = "; only a running or waiting job can be " + switch (request) {
      case JobSchedule.Pause p -> "paused";
      case JobSchedule.Resume r -> "resumed";
      case JobSchedule.Reprioritize r -> "given a new priority";
    };
    if (known == null) {
      return "the farm knows no job '" + jobId + "' (never accepted, or ended too long ago)" + only;
    }
    if (known.state().ended()) {
      return "job '" + jobId + "' is " + known.state() + only;
    }
    return "job '" + jobId + "' is not running yet (its plan is on its way); ask again";
  }
}
