package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure choice of which waiting jobs' tasks a lane releases next. */
class ReleaseOrderTest {
  private static ReleaseOrder.Waiting job(String id, int priority, int pending, long served, long admitted) {
    return new ReleaseOrder.Waiting(id, priority, pending, served, admitted);
  }

  @Test
  void aHigherPriorityTakesAllTheRoomBeforeALowerGetsAny() {
    List<String> order = ReleaseOrder.choose(List.of(job("low", 50, 100, 0, 1), job("high", 90, 3, 0, 2)), 0,
        p -> 5);
    assertEquals(List.of("high", "high", "high", "low", "low"), order);
  }

  @Test
  void jobsOfOnePriorityTakeTurnsStartingWithTheOneServedLongestAgo() {
    // "big" was served at tick 7, "small" never: small goes first, then they alternate until small runs out.
    List<String> order = ReleaseOrder.choose(List.of(job("big", 50, 1000, 7, 1), job("small", 50, 2, 0, 2)), 10,
        p -> 15);
    assertEquals(List.of("small", "big", "small", "big", "big"), order);
  }

  @Test
  void equallyServedJobsGoInTheOrderTheyWereAdmitted() {
    List<String> order = ReleaseOrder.choose(List.of(job("b", 50, 5, 0, 2), job("a", 50, 5, 0, 3),
        job("c", 50, 5, 0, 1)), 0, p -> 4);
    assertEquals(List.of("c", "b", "a", "c"), order);
  }

  @Test
  void aFullLaneReleasesNothing() {
    assertEquals(List.of(), ReleaseOrder.choose(List.of(job("a", 50, 5, 0, 1)), 8, p -> 8));
    assertEquals(List.of(), ReleaseOrder.choose(Collections.emptyList(), 0, p -> 8));
  }

  @Test
  void aHigherPrioritysWiderWindowIsNotLentToLowerOnes() {
    // The lane holds 6: priority 70 may go to 3 x 4 = 12, priority 50 only to 4, so it gets nothing.
    List<String> order = ReleaseOrder.choose(List.of(job("p70", 70, 2, 0, 1), job("p50", 50, 9, 0, 2)), 6,
        p -> ReleaseOrder.window(4, p));
    assertEquals(List.of("p70", "p70"), order);
  }

  @Test
  void theWindowWidensByOneBaseWindowPerTenPointsAboveFifty() {
    assertEquals(8, ReleaseOrder.window(8, 0));
    assertEquals(8, ReleaseOrder.window(8, 50));
    assertEquals(8, ReleaseOrder.window(8, 59));
    assertEquals(16, ReleaseOrder.window(8, 60));
    assertEquals(40, ReleaseOrder.window(8, 90));
    assertEquals(48, ReleaseOrder.window(8, 100));
    assertEquals(Integer.MAX_VALUE, ReleaseOrder.window(Integer.MAX_VALUE, 100), "an unlimited window stays so");
  }

  @Test
  void aJobWithNothingPendingIsNotWaiting() {
    assertThrows(IllegalArgumentException.class, () -> job("a", 50, 0, 0, 1));
  }
}
