package dev.tilefarm.worker;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import java.util.List;
import java.util.Objects;

/**
 * What became of a tile task once the {@link TileJob} is through with it: the job's answer, which the {@link
 * DeliveryPolicy} turns into how the task's delivery is settled.
 */
sealed interface TileOutcome extends TileJob.Step
    permits TileOutcome.Stored, TileOutcome.FailedPermanently, TileOutcome.Transient, TileOutcome.Abandoned,
    TileOutcome.HandedBack {

  /**
   * The task's object is stored and its results announced; {@code nanos} from the start of making it. {@code job} is
   * null for a video task, which carries no job (its metrics are the ffmpeg lane's).
   */
  record Stored(List<? extends TileResult> results, JobRequest job, long nanos) implements TileOutcome {
    public Stored {
      results = List.copyOf(results);
    }
  }

  /**
   * The tile cannot be made, and every worker would fail the same way (bad scene, bad op, unreadable or missing
   * input, storage refusing the request): {@code reason} is fit for the job's owner; {@code log} is the
   * renderer's log in S3, or null.
   */
  record FailedPermanently(String reason, S3Uri log) implements TileOutcome {
    public FailedPermanently {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A fault that may pass: storage or the broker away for longer than a step retries in place, or a fault
   * nobody foresaw (a renderer error, which the tile job has already counted against the job on this worker's
   * {@link Blocklist}).
   */
  record Transient(Throwable cause) implements TileOutcome {
    public Transient {
      Objects.requireNonNull(cause, "cause");
    }

    /** The cause's message, or its name when it has none. */
    public String reason() {
      return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
  }

  /**
   * The tile was abandoned (its job ended, or the worker is stopping) or its thread interrupted: its pixels are
   * neither stored nor announced. The lane has already settled such a delivery when it abandoned it.
   */
  record Abandoned() implements TileOutcome {}

  /**
   * The task's job was paused when a render thread was to start it: not made, to be handed back to the splitter
   * (see {@link DeliveryPolicy#handsBack}).
   */
  record HandedBack() implements TileOutcome {}
}
