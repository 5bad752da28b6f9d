package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each section's aim is issue 18's, in text and in its reached-test, bound included; an unmeasured figure misses. */
class IssueAimsTest {
  private static void atMost(Aim aim, double bound, double above, String text) {
    assertEquals(text, aim.text());
    assertTrue(aim.reachedBy(bound), text + " at " + bound);
    assertTrue(aim.reachedBy(bound * 0.5), text + " well below");
    assertFalse(aim.reachedBy(above), text + " at " + above);
    assertFalse(aim.reachedBy(Double.NaN), text + " unmeasured");
  }

  @Test
  void overheadIsAtMostOnePointTwoFiveAndOnePointZeroEight() {
    atMost(OverheadSection.SHORT_JOB, 1.25, 1.26, "≤ 1.25x");
    atMost(OverheadSection.LONG_JOB, 1.08, 1.09, "≤ 1.08x");
  }

  @Test
  void latencyP50IsAtMostSixtyMilliseconds() {
    atMost(LatencySection.P50, 60, 61, "p50 ≤ 60 ms");
  }

  @Test
  void startUpIsEveryRoleRunningWithinTwoAndAHalfSeconds() {
    atMost(StartupSection.EVERY_ROLE_RUNNING, 2500, 2501, "every role running ≤ 2.5 s after JVM start");
  }

  @Test
  void processingIsAtMostTwiceOpenCv() {
    atMost(ProcessingSection.OF_OPENCV, 2.0, 2.01, "≤ 2.0x");
  }

  @Test
  void aThousandMembersSettleAtLeastFifteenHundredTilesASecond() {
    Aim aim = SwarmSection.THOUSAND;
    assertEquals("≥ 1,500 tiles/s with 1,000 members", aim.text());
    assertTrue(aim.reachedBy(4000));
    assertTrue(aim.reachedBy(1500));
    assertFalse(aim.reachedBy(1499));
    assertFalse(aim.reachedBy(Double.NaN));
  }
}
