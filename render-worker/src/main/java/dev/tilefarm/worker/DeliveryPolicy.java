package dev.tilefarm.worker;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How the worker settles a delivery of a tile task, as pure functions of what it knows: the tile's {@link
 * TileOutcome}, the delivery count, the {@link JobState} and whether the job is blocklisted here. The Kafka
 * edge ({@link RenderWorker}) asks, carries out what it is told, and acknowledges.
 *
 * <ul>
 *   <li>A new delivery ({@link #admit}): skipped (ACCEPT) if its job ended; RELEASE for another worker if the
 *       job is blocklisted here and the delivery is not yet the {@code maxAttempts}-th; else made.
 *   <li>A tile still in hand at a poll ({@link #inHand}): RENEW while its job runs or is paused (a tile started
 *       finishes); ACCEPT, abandoning it, once its job ended; RELEASE, abandoning it, once the shutdown grace is
 *       over.
 *   <li>A tile about to be started ({@link #handsBack}): if its job is paused and the splitter released it, it is
 *       not made but handed back: a RETURNED tile result carries it to the splitter, then ACCEPT ({@link
 *       #handedBack}).
 *   <li>A fault that may pass, within a step of a tile ({@link #backoff}): retried in place, waiting 250 ms,
 *       then twice as long each time up to 4 s, for as long as {@code transientRetry} allows.
 *   <li>A tile's outcome ({@link #settle}): stored, ACCEPT; failed permanently, report it FAILED; a fault that
 *       may pass, RELEASE for another delivery, or from the {@code maxAttempts}-th delivery on give up: the task
 *       goes to the dead-letter topic and is reported FAILED; abandoned, RELEASE; handed back, report it RETURNED.
 *   <li>Reporting and dead-lettering are writes to the broker that may fail ({@link #reported}, {@link
 *       #deadLettered}, {@link #gaveUp}): what could not be written is RELEASEd, so the broker redelivers it
 *       (and archives it after the share group's delivery limit).
 * </ul>
 * A job may ask for fewer attempts than the worker's {@code maxAttempts} ({@code "maxAttempts"} in the job, see
 * {@link #limit}); never more.
 *
 * <p>The worker never REJECTs: a task it cannot use goes to the dead-letter topic with the reason instead, and a
 * REJECTed record would be archived without a trace.
 */
final class DeliveryPolicy {
  /** The first wait before an in-place retry; each next one doubles, up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  /**
   * The longest wait: a fault that passed is noticed within it, so the tile goes on within seconds of S3 being well
   * again (the cluster lab measures it), while a tile that keeps failing tries at most every 4 s.
   */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(4);

  /** A share group acknowledgement, as the worker uses them. */
  enum Ack implements Decision { ACCEPT, RENEW, RELEASE }

  /** What to do with a new delivery. */
  enum Admission {
    /** Make the tile. */
    MAKE,
    /** Its job ended: ACCEPT without making it. */
    SKIP,
    /** Its job is blocklisted here: RELEASE it for another worker. */
    RELEASE
  }

  /** What to do once a tile's outcome is known. */
  sealed interface Decision permits Ack, Retry, Report, GiveUp, HandBack {}

  /** RELEASE for another delivery: a fault that may pass, with its reason (a retry, counted and logged). */
  record Retry(int attempt, String reason) implements Decision {}

  /** Publish a FAILED tile result with {@code reason} and {@code log}, then ACCEPT (see {@link #reported}). */
  record Report(String reason, S3Uri log) implements Decision {}

  /** Send the task to the dead-letter topic with {@code reason}, then report it FAILED (see {@link #gaveUp}). */
  record GiveUp(String reason) implements Decision {}

  /** Publish a RETURNED tile result carrying the task, then ACCEPT (see {@link #handedBack}). */
  record HandBack() implements Decision {}

  private final int maxAttempts;
  private final Duration transientRetry;

  /**
   * @param maxAttempts the delivery from which a fault that may pass is final (see {@link WorkerConfig})
   * @param transientRetry how long one step of a tile retries a fault that may pass in place
   */
  DeliveryPolicy(int maxAttempts, Duration transientRetry) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    this.transientRetry = Objects.requireNonNull(transientRetry, "transientRetry");
  }

  DeliveryPolicy(WorkerConfig config) {
    this(config.maxAttempts(), config.transientRetry());
  }

  /**
   * A new delivery of a task. A blocklisted job's tile is released only before its {@code maxAttempts}-th
   * delivery (see {@link Blocklist#releases}): from then on it is made even here, so that a tile failing
   * everywhere ends at {@code maxAttempts} deliveries.
   */
  Admission admit(JobState job, boolean blocked, int delivery) {
    return admit(job, blocked, delivery, 0);
  }

  /** As {@link #admit(JobState, boolean, int)} for a job that asks for {@code jobMaxAttempts} (0: the farm's). */
  Admission admit(JobState job, boolean blocked, int delivery, int jobMaxAttempts) {
    return switch (job) {
      case JobState.Ended ended -> Admission.SKIP;
      case JobState.Running running ->
          Blocklist.releases(blocked, delivery, limit(jobMaxAttempts)) ? Admission.RELEASE : Admission.MAKE;
      // Taken, to be handed back when a render thread would start it (handsBack), unless resumed by then.
      case JobState.Paused paused ->
          Blocklist.releases(blocked, delivery, limit(jobMaxAttempts)) ? Admission.RELEASE : Admission.MAKE;
    };
  }

  /** The attempts a tile of a job that asks for {@code jobMaxAttempts} (0: nothing) gets: at most the worker's. */
  int limit(int jobMaxAttempts) {
    return jobMaxAttempts > 0 ? Math.min(jobMaxAttempts, maxAttempts) : maxAttempts;
  }

  /** A tile in hand whose outcome is not known yet, at a poll. ACCEPT and RELEASE abandon the tile. */
  Ack inHand(JobState job, boolean graceOver) {
    return switch (job) {
      case JobState.Ended ended -> Ack.ACCEPT;
      case JobState.Running running -> graceOver ? Ack.RELEASE : Ack.RENEW;
      case JobState.Paused paused -> graceOver ? Ack.RELEASE : Ack.RENEW;
    };
  }

  /**
   * Whether a render thread about to start {@code task} hands it back instead: when its job is paused, and the
   * task is one the splitter released and so can queue again (not a later pass of an op chain or a video, which
   * the compositor releases: those are made).
   */
  boolean handsBack(JobState job, TileTask task) {
    return switch (job) {
      case JobState.Paused paused -> TileResult.Returned.returnable(task);
      case JobState.Running running -> false;
      case JobState.Ended ended -> false; // the lane settles it as a tile of an ended job at its next look
    };
  }

  /** A tile's outcome, on its {@code delivery}-th delivery. */
  Decision settle(TileOutcome outcome, int delivery) {
    return settle(outcome, delivery, 0);
  }

  /** As {@link #settle(TileOutcome, int)} for a job that asks for {@code jobMaxAttempts} (0: the farm's). */
  Decision settle(TileOutcome outcome, int delivery, int jobMaxAttempts) {
    int maxAttempts = limit(jobMaxAttempts);
    return switch (outcome) {
      case TileOutcome.Stored stored -> Ack.ACCEPT;
      case TileOutcome.FailedPermanently failed -> new Report(failed.reason(), failed.log());
      case TileOutcome.Transient fault -> delivery >= maxAttempts
          ? new GiveUp("gave up after " + delivery + " attempts: " + fault.reason())
          : new Retry(delivery, fault.reason());
      case TileOutcome.Abandoned abandoned -> Ack.RELEASE;
      case TileOutcome.HandedBack handedBack -> new HandBack();
    };
  }

  /** After a FAILED tile result was published, or could not be. */
  Ack reported(boolean published) {
    return published ? Ack.ACCEPT : Ack.RELEASE;
  }

  /**
   * After a RETURNED tile result was published, or could not be: ACCEPT, the splitter has the task; RELEASE, so
   * that it is delivered again (and handed back again while the job is paused).
   */
  Ack handedBack(boolean published) {
    return published ? Ack.ACCEPT : Ack.RELEASE;
  }

  /** After a record that is no tile task (undecodable, or no tile can be made of it) was dead-lettered, or not. */
  Ack deadLettered(boolean written) {
    return written ? Ack.ACCEPT : Ack.RELEASE;
  }

  /** After a task given up was dead-lettered: report it FAILED; or, if it could not be, RELEASE it. */
  Decision gaveUp(GiveUp giveUp, boolean deadLettered) {
    return deadLettered ? new Report(giveUp.reason(), null) : Ack.RELEASE;
  }

  /** The in-place retries of one step of a tile, which starts at {@code nowNanos} (System.nanoTime). */
  Backoff backoff(long nowNanos) {
    return new Backoff(nowNanos + transientRetry.toNanos(), FIRST_BACKOFF.toMillis());
  }

  /**
   * Where a step's in-place retries stand: until when it may retry, and the wait before its next try.
   *
   * @param untilNanos System.nanoTime by which the step gives up retrying in place
   * @param waitMs the wait before the next try
   */
  record Backoff(long untilNanos, long waitMs) {
    /** Whether the next try, after {@link #waitMs}, still starts within the step's retry time. */
    boolean retries(long nowNanos) {
      return nowNanos + TimeUnit.MILLISECONDS.toNanos(waitMs) <= untilNanos;
    }

    /** The backoff after one more failed try: twice the wait, at most {@link #MAX_BACKOFF}. */
    Backoff next() {
      return new Backoff(untilNanos, Math.min(waitMs * 2, MAX_BACKOFF.toMillis()));
    }
  }
}
