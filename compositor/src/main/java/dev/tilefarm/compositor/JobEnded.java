package dev.tilefarm.compositor;

import java.util.Objects;

/**
 * A job whose terminal event (COMPLETED, FAILED or CANCELLED) has been published. Kept, small, so that results
 * arriving late or again are ignored instead of starting the job over; removed {@code retention} after
 * {@code endedAt} (see {@link JobAggregator#expired}).
 */
record JobEnded(Outcome outcome, long endedAt) implements JobState {
  enum Outcome { COMPLETED, FAILED, CANCELLED }

  JobEnded {
    Objects.requireNonNull(outcome, "outcome");
  }
}
