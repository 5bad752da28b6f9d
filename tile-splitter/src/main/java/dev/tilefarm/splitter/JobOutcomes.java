package dev.tilefarm.splitter;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What the farm's own job control records say of each job, as every splitter instance keeps it (a global store,
 * see {@link OutcomeRecorder}): waiting, running, or how it ended, with a completed job's output (for
 * {@code "input": "job:JOB_ID"}) and the tiles a failed one keeps for a retry. Fed only from the job control
 * topic, which only the farm's roles write: never from the job events topic, which anyone who may read the farm's
 * events could be allowed to write. Free of Kafka.
 */
final class JobOutcomes {
  private JobOutcomes() {}

  enum State { WAITING, RUNNING, COMPLETED, FAILED, CANCELLED;

    boolean ended() {
      return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
  }

  /**
   * A job as the control records tell.
   *
   * @param at when the record that gave this state was written (epoch ms)
   * @param after the jobs a WAITING job waits for
   * @param output a COMPLETED job's single image, or null
   * @param attempt the run this state belongs to (1, or from 2 on a retry)
   * @param keptTiles the tiles a FAILED or CANCELLED job keeps for a retry ({@code "0-4,7"}), or null for none
   * @param frameOutput an animation's output pattern (running or COMPLETED), for a video job after it; else null
   * @param frames that animation's frame numbers, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Known(State state, long at, List<String> after, S3Uri output, int attempt, String keptTiles,
      S3Uri frameOutput, JobRequest.Frames frames) {
    Known {
      after = after == null ? List.of() : List.copyOf(after);
    }

    /** A job that is no animation. */
    Known(State state, long at, List<String> after, S3Uri output, int attempt, String keptTiles) {
      this(state, at, after, output, attempt, keptTiles, null, null);
    }
  }

  /**
   * {@code prior} (null: nothing known) after {@code control}; null when the record says nothing of the job's
   * state.
   */
  static Known after(Known prior, JobControl control) {
    int attempt = prior == null ? 1 : prior.attempt();
    return switch (control) {
      case JobControl.Planned p -> new Known(State.RUNNING, p.acceptedAt(), List.of(), null, p.attemptNumber(), null,
          p.frames() == null ? null : p.output(), p.frames());
      case JobControl.Waiting w -> new Known(State.WAITING, w.timestamp(), w.after(), null, attempt, null);
      case JobControl.Ended e -> {
        State state;
        try {
          state = State.valueOf(e.outcome());
        } catch (IllegalArgumentException | NullPointerException x) {
          yield null;
        }
        // A completed animation keeps its frames (from its plan) for the video jobs after it.
        boolean frames = state == State.COMPLETED && prior != null && prior.frames() != null
            && prior.attempt() == e.attemptNumber();
        yield new Known(state, e.timestamp(), List.of(), e.output(), e.attemptNumber(),
            e.keptTiles() == null || e.keptTiles().isEmpty() ? null : e.keptTiles(),
            frames ? prior.frameOutput() : null, frames ? prior.frames() : null);
      }
      case JobControl.Cancel c -> null; // a request; the end it leads to comes as ENDED
      case JobControl.Pause p -> null; // a paused job still runs, as far as the jobs after it are concerned
      case JobControl.Resume r -> null;
    };
  }

  static String encode(Known known) {
    try {
      return Json.MAPPER.writeValueAsString(known);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stored form back; null for null. */
  static Known decode(String stored) {
    if (stored == null) {
      return null;
    }
    try {
      return Json.MAPPER.readValue(stored, Known.class);
    } catch (IOException e) {
      throw new UncheckedIOException("an unreadable job outcome in the store: " + stored, e);
    }
  }
}
