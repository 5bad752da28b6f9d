package dev.tilefarm.worker;

import java.util.Objects;

/** Whether a tile's job still wants its tiles, as this worker knows it (see {@link JobWatch#stateOf}). */
sealed interface JobState permits JobState.Running, JobState.Ended, JobState.Paused {
  JobState RUNNING = new Running();
  JobState PAUSED = new Paused();

  boolean ended();

  /** Why the job is in this state, for logs. */
  String why();

  /** No stop is known. */
  record Running() implements JobState {
    @Override
    public boolean ended() {
      return false;
    }

    @Override
    public String why() {
      return "the job runs";
    }
  }

  /**
   * Cancelled, ended by the compositor (failed, or completed by a duplicate), or out of time: {@code why} says
   * which ("the job is CANCELLED", "the job's time limit ran out").
   */
  record Ended(String why) implements JobState {
    public Ended {
      Objects.requireNonNull(why, "why");
    }

    @Override
    public boolean ended() {
      return true;
    }
  }

  /**
   * The splitter paused the job: a task not started yet is handed back to it unmade (a RETURNED tile result), one
   * being made is finished.
   */
  record Paused() implements JobState {
    @Override
    public boolean ended() {
      return false;
    }

    @Override
    public String why() {
      return "the job is paused";
    }
  }
}
