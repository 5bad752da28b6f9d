package dev.tilefarm.worker;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BoundedMap;
import java.util.Map;

/**
 * What the job control records read so far say of each job, as a worker needs it: stopped (CANCEL, ENDED) or
 * paused (PAUSE, until a RESUME), and so the {@link JobState} of a task. Records are applied in the order of their
 * partition, which holds all of one job's: a RESUME after a PAUSE un-pauses it, a PAUSE after a RESUME pauses it
 * again. A PLANNED (a retry's run) clears both, and a stop or a pause counts only for the runs accepted before it,
 * so a retry's tasks that come before its PLANNED is read are wanted. Free of Kafka ({@link JobWatch} feeds it);
 * safe for the poll and render threads that ask while the watch applies.
 */
final class WatchedJobs {
  private final Map<String, String> ended;
  /** When each stop in {@link #ended} was made (epoch ms): it stops the tasks of runs accepted before it. */
  private final Map<String, Long> stoppedAt;
  /** When each paused job was paused (epoch ms): the runs accepted before it are paused. */
  private final Map<String, Long> pausedAt;

  /** Remembers at most {@code maxJobs} stopped and as many paused jobs, forgetting the oldest first. */
  WatchedJobs(int maxJobs) {
    this.ended = new BoundedMap<>(maxJobs, false);
    this.stoppedAt = new BoundedMap<>(maxJobs, false);
    this.pausedAt = new BoundedMap<>(maxJobs, false);
  }

  /**
   * Applies a job control record of key {@code key}. Stops, pauses and resumes count only under their job's own
   * key (as the farm writes them); a PLANNED clears what is known of its job whatever the key.
   */
  synchronized void apply(String key, JobControl control) {
    if (control == null || control.jobId() == null) {
      return;
    }
    String id = control.jobId();
    boolean own = id.equals(key);
    switch (control) {
      case JobControl.Planned planned -> {
        // A retry runs the job again under its id: its new tiles are wanted.
        ended.remove(id);
        stoppedAt.remove(id);
        pausedAt.remove(id);
      }
      case JobControl.Cancel cancel -> {
        if (own) {
          stop(id, "CANCELLED", cancel.timestamp());
        }
      }
      case JobControl.Ended end -> {
        if (own) {
          stop(id, end.outcome(), end.timestamp());
        }
      }
      case JobControl.Pause pause -> {
        if (own) {
          pausedAt.put(id, pause.timestamp());
        }
      }
      case JobControl.Resume resume -> {
        if (own) {
          pausedAt.remove(id);
        }
      }
      case JobControl.Waiting waiting -> { }
    }
  }

  private void stop(String id, String outcome, long at) {
    ended.put(id, outcome);
    stoppedAt.put(id, at);
    pausedAt.remove(id);
  }

  /** "CANCELLED" (asked for), the outcome of an ENDED job ("FAILED", ...), or null if no stop is known. */
  synchronized String endOf(String jobId) {
    return ended.get(jobId);
  }

  /**
   * Whether {@code task}'s job still wants its tiles at {@code nowMs} (epoch ms): ended once a stop is known for
   * its run or its deadline passed; paused while a pause of its run is; else running. A paused job's deadline
   * does not run out here: its clock stands still while it is paused, and the task, handed back, is released again
   * with a deadline moved on by the pause.
   */
  JobState stateOf(TileTask task, long nowMs) {
    String end;
    Long stopped;
    Long paused;
    synchronized (this) {
      end = ended.get(task.jobId());
      stopped = stoppedAt.get(task.jobId());
      paused = pausedAt.get(task.jobId());
    }
    // A retry's tasks (accepted after the stop) may come before its PLANNED is read here: they are not stopped.
    if (end != null && (stopped == null || task.acceptedAt() <= stopped)) {
      return new JobState.Ended("the job is " + end);
    }
    if (paused != null && task.acceptedAt() <= paused) {
      return JobState.PAUSED;
    }
    if (task.deadline() != null && nowMs > task.deadline()) {
      return new JobState.Ended("the job's time limit ran out");
    }
    return JobState.RUNNING;
  }
}
