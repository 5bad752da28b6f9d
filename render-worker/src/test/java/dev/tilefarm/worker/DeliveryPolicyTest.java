package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.worker.DeliveryPolicy.Ack;
import dev.tilefarm.worker.DeliveryPolicy.Admission;
import dev.tilefarm.worker.DeliveryPolicy.Backoff;
import dev.tilefarm.worker.DeliveryPolicy.GiveUp;
import dev.tilefarm.worker.DeliveryPolicy.Report;
import dev.tilefarm.worker.DeliveryPolicy.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The worker's decisions on a tile's delivery, branch by branch, without a broker. */
class DeliveryPolicyTest {
  private static final int MAX_ATTEMPTS = 5;
  private final DeliveryPolicy policy = new DeliveryPolicy(MAX_ATTEMPTS, Duration.ofMinutes(2));
  private static final JobState CANCELLED = new JobState.Ended("the job is CANCELLED");
  private static final JobState OUT_OF_TIME = new JobState.Ended("the job's time limit ran out");

  @Nested
  class ANewDelivery {
    @Test
    void ofAnEndedJobIsSkippedWhateverElseHolds() {
      assertEquals(Admission.SKIP, policy.admit(CANCELLED, false, 1));
      assertEquals(Admission.SKIP, policy.admit(OUT_OF_TIME, true, 1));
      assertEquals(Admission.SKIP, policy.admit(CANCELLED, true, MAX_ATTEMPTS));
    }

    @Test
    void ofABlocklistedJobIsReleasedBeforeItsLastAttempt() {
      assertEquals(Admission.RELEASE, policy.admit(JobState.RUNNING, true, 1));
      assertEquals(Admission.RELEASE, policy.admit(JobState.RUNNING, true, MAX_ATTEMPTS - 1));
    }

    @Test
    void ofABlocklistedJobIsMadeFromItsLastAttemptOn() {
      assertEquals(Admission.MAKE, policy.admit(JobState.RUNNING, true, MAX_ATTEMPTS));
      assertEquals(Admission.MAKE, policy.admit(JobState.RUNNING, true, MAX_ATTEMPTS + 1));
    }

    @Test
    void ofARunningJobNotBlocklistedIsMade() {
      assertEquals(Admission.MAKE, policy.admit(JobState.RUNNING, false, 1));
      assertEquals(Admission.MAKE, policy.admit(JobState.RUNNING, false, MAX_ATTEMPTS - 1));
    }
  }

  /**
   * A paused job's tasks: taken like a running job's, handed back (RETURNED, then ACCEPT) when a render thread
   * would start one the splitter released, finished when started already.
   */
  @Nested
  class APausedJob {
    private final S3Uri out = S3Uri.parse("s3://out/p.png");
    private final S3Uri jobUri = S3Uri.parse("s3://tilefarm/jobs/p.json");
    private final TileRect rect = new TileRect(1, 8, 0, 8, 8);

    private TileTask task(TileTask.Work work) {
      return new TileTask("p", 4, 32, 8, out, S3Uri.parse("s3://tilefarm/tiles/p/1.tft"), 1_000, null,
          work instanceof TileTask.Work.Video ? null : jobUri, null, work);
    }

    @Test
    void hasANewDeliveryTakenAsARunningJobsIs() {
      assertEquals(Admission.MAKE, policy.admit(JobState.PAUSED, false, 1));
      assertEquals(Admission.RELEASE, policy.admit(JobState.PAUSED, true, 1), "blocklisted here");
      assertEquals(Admission.MAKE, policy.admit(JobState.PAUSED, true, MAX_ATTEMPTS));
    }

    @Test
    void handsBackATaskTheSplitterReleasedBeforeItIsStarted() {
      TileTask tile = task(TileTask.Work.Tile.of(rect));
      assertTrue(policy.handsBack(JobState.PAUSED, tile));
      assertTrue(policy.handsBack(JobState.PAUSED, task(new TileTask.Work.FrameTile(rect, 3, null))));
      assertTrue(policy.handsBack(JobState.PAUSED, task(new TileTask.Work.PassTile(rect, 0, null, null))));
      assertTrue(policy.handsBack(JobState.PAUSED, task(new TileTask.Work.Pack(List.of(
          new TileRect(0, 0, 0, 8, 8), rect), 2))));
      assertFalse(policy.handsBack(JobState.RUNNING, tile), "a running job's tile is made");
      assertFalse(policy.handsBack(CANCELLED, tile), "an ended job's tile is the lane's to skip");
    }

    @Test
    void makesWhatTheCompositorReleasedEvenPaused() {
      assertFalse(policy.handsBack(JobState.PAUSED, task(new TileTask.Work.PassTile(rect, 1,
          S3Uri.parse("s3://tilefarm/tiles/p/pass-0/merged.json"), null))), "a later pass of an op chain");
    }

    @Test
    void finishesATileInHandAndReleasesItOnlyWhenTheGraceIsOver() {
      assertEquals(Ack.RENEW, policy.inHand(JobState.PAUSED, false));
      assertEquals(Ack.RELEASE, policy.inHand(JobState.PAUSED, true));
    }

    @Test
    void reportsAHandedBackTileReturnedThenAcceptsIt() {
      assertEquals(new DeliveryPolicy.HandBack(), policy.settle(new TileOutcome.HandedBack(), 1));
      assertEquals(new DeliveryPolicy.HandBack(), policy.settle(new TileOutcome.HandedBack(), MAX_ATTEMPTS));
      assertEquals(Ack.ACCEPT, policy.handedBack(true));
      assertEquals(Ack.RELEASE, policy.handedBack(false), "not published: delivered again, to be handed back again");
    }
  }

  /** A job's own "maxAttempts": fewer attempts than the farm's are honoured, more are not. */
  @Nested
  class AJobsMaxAttempts {
    @Test
    void lowerThanTheFarmsEndsATransientFaultSooner() {
      TileOutcome fault = new TileOutcome.Transient(new BlobStoreException("S3 timed out", true, null));
      assertEquals(new DeliveryPolicy.Retry(1, "S3 timed out"), policy.settle(fault, 1, 2));
      assertEquals(new DeliveryPolicy.GiveUp("gave up after 2 attempts: S3 timed out"), policy.settle(fault, 2, 2));
      assertEquals(new DeliveryPolicy.GiveUp("gave up after 1 attempts: S3 timed out"), policy.settle(fault, 1, 1));
    }

    @Test
    void higherThanTheFarmsIsCappedAtTheFarms() {
      TileOutcome fault = new TileOutcome.Transient(new BlobStoreException("S3 timed out", true, null));
      assertEquals(new DeliveryPolicy.Retry(MAX_ATTEMPTS - 1, "S3 timed out"),
          policy.settle(fault, MAX_ATTEMPTS - 1, 100));
      assertEquals(new DeliveryPolicy.GiveUp("gave up after " + MAX_ATTEMPTS + " attempts: S3 timed out"),
          policy.settle(fault, MAX_ATTEMPTS, 100));
      assertEquals(MAX_ATTEMPTS, policy.limit(100));
      assertEquals(MAX_ATTEMPTS, policy.limit(0));
      assertEquals(2, policy.limit(2));
    }

    @Test
    void aBlocklistedJobsTileIsMadeFromTheJobsLastAttemptOn() {
      assertEquals(Admission.RELEASE, policy.admit(JobState.RUNNING, true, 1, 2));
      assertEquals(Admission.MAKE, policy.admit(JobState.RUNNING, true, 2, 2));
    }
  }

  @Nested
  class ATileInHand {
    @Test
    void isRenewedWhileItsJobRuns() {
      assertEquals(Ack.RENEW, policy.inHand(JobState.RUNNING, false));
    }

    @Test
    void isAcceptedOnceItsJobEndedEvenInTheGrace() {
      assertEquals(Ack.ACCEPT, policy.inHand(CANCELLED, false));
      assertEquals(Ack.ACCEPT, policy.inHand(OUT_OF_TIME, true));
    }

    @Test
    void isReleasedOnceTheShutdownGraceIsOver() {
      assertEquals(Ack.RELEASE, policy.inHand(JobState.RUNNING, true));
    }
  }

  @Nested
  class AnOutcome {
    private final JobRequest job = new JobRequest.Render("j", 8, 8, Renderer.MANDELBROT, null, 1, 0L, 8,
        S3Uri.parse("s3://out/j.png"));

    @Test
    void storedIsAccepted() {
      assertEquals(Ack.ACCEPT, policy.settle(new TileOutcome.Stored(List.of(), job, 1), 1));
      assertEquals(Ack.ACCEPT, policy.settle(new TileOutcome.Stored(List.of(), job, 1), MAX_ATTEMPTS));
    }

    @Test
    void failedPermanentlyIsReportedWithItsReasonAndLogOnAnyDelivery() {
      S3Uri log = S3Uri.parse("s3://tiles/logs/j/3.txt");
      assertEquals(new Report("scene.pov: no camera", log),
          policy.settle(new TileOutcome.FailedPermanently("scene.pov: no camera", log), 1));
      assertEquals(new Report("input is not an image", null),
          policy.settle(new TileOutcome.FailedPermanently("input is not an image", null), MAX_ATTEMPTS));
    }

    @Test
    void transientBeforeTheLastAttemptIsRetriedOnAnotherDelivery() {
      var fault = new TileOutcome.Transient(new BlobStoreException("S3 answered 503", true, null));
      assertEquals(new Retry(1, "S3 answered 503"), policy.settle(fault, 1));
      assertEquals(new Retry(MAX_ATTEMPTS - 1, "S3 answered 503"), policy.settle(fault, MAX_ATTEMPTS - 1));
    }

    @Test
    void transientFromTheLastAttemptOnIsGivenUp() {
      var fault = new TileOutcome.Transient(new IllegalStateException("renderer crashed"));
      assertEquals(new GiveUp("gave up after 5 attempts: renderer crashed"), policy.settle(fault, MAX_ATTEMPTS));
      // A delivery past the last one: its dead letter could not be written the time before.
      assertEquals(new GiveUp("gave up after 6 attempts: renderer crashed"), policy.settle(fault, MAX_ATTEMPTS + 1));
    }

    @Test
    void aFaultWithoutAMessageIsNamedByItsType() {
      var fault = new TileOutcome.Transient(new NullPointerException());
      assertEquals(new Retry(2, "java.lang.NullPointerException"), policy.settle(fault, 2));
    }

    @Test
    void abandonedIsReleased() {
      assertEquals(Ack.RELEASE, policy.settle(new TileOutcome.Abandoned(), 1));
      assertEquals(Ack.RELEASE, policy.settle(new TileOutcome.Abandoned(), MAX_ATTEMPTS));
    }

    @Test
    void aTileThatFailsOnEveryDeliveryIsRetriedUntilItsLastAttemptThenGivenUp() {
      var fault = new TileOutcome.Transient(new BlobStoreException("S3 down", true, null));
      List<String> decisions = new ArrayList<>();
      for (int delivery = 1; delivery <= MAX_ATTEMPTS; delivery++) {
        decisions.add(policy.settle(fault, delivery).getClass().getSimpleName());
      }
      assertEquals(List.of("Retry", "Retry", "Retry", "Retry", "GiveUp"), decisions);
    }
  }

  @Nested
  class WritesToTheBroker {
    @Test
    void aReportedFailureIsAcceptedAndOneThatCouldNotBePublishedReleased() {
      assertEquals(Ack.ACCEPT, policy.reported(true));
      assertEquals(Ack.RELEASE, policy.reported(false));
    }

    @Test
    void aDeadLetteredRecordIsAcceptedAndOneThatCouldNotBeWrittenReleased() {
      assertEquals(Ack.ACCEPT, policy.deadLettered(true));
      assertEquals(Ack.RELEASE, policy.deadLettered(false));
    }

    @Test
    void aTaskGivenUpIsReportedOnceDeadLetteredElseReleased() {
      GiveUp giveUp = new GiveUp("gave up after 5 attempts: S3 down");
      assertEquals(new Report("gave up after 5 attempts: S3 down", null), policy.gaveUp(giveUp, true));
      assertEquals(Ack.RELEASE, policy.gaveUp(giveUp, false));
    }
  }

  @Nested
  class InPlaceRetries {
    @Test
    void waitFrom250MsDoublingUpTo4s() {
      Backoff b = policy.backoff(0);
      List<Long> waits = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        waits.add(b.waitMs());
        b = b.next();
      }
      assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 4000L, 4000L, 4000L, 4000L), waits);
    }

    @Test
    void retryOnlyWhileTheNextTryStartsWithinTheRetryTime() {
      long start = 1_000_000;
      Backoff b = policy.backoff(start);
      long until = start + Duration.ofMinutes(2).toNanos();
      assertEquals(until, b.untilNanos());
      long lastStart = until - TimeUnit.MILLISECONDS.toNanos(250);
      assertTrue(b.retries(start));
      assertTrue(b.retries(lastStart));
      assertFalse(b.retries(lastStart + 1));
    }

    @Test
    void aFaultThatNeverPassesIsTriedThirtyFourTimesInTwoMinutes() {
      // Tries that fail at once: waits 250+500+1000+2000 = 3.75 s, then twenty-nine of 4 s make 119.75 s;
      // one more would start at 123.75 s, past the 120 s.
      long now = 0;
      Backoff b = policy.backoff(now);
      int tries = 1;
      while (b.retries(now)) {
        now += TimeUnit.MILLISECONDS.toNanos(b.waitMs());
        b = b.next();
        tries++;
      }
      assertEquals(34, tries);
      assertEquals(Duration.ofMillis(119_750).toNanos(), now);
    }
  }

  @Test
  void maxAttemptsBelowOneIsRefusedNamingTheField() {
    var e = assertThrows(IllegalArgumentException.class, () -> new DeliveryPolicy(0, Duration.ofMinutes(2)));
    assertTrue(e.getMessage().contains("maxAttempts"), e.getMessage());
  }
}
