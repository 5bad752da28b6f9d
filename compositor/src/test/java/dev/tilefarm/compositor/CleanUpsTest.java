package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CleanUpsTest {
  private static final long T0 = 1_000_000;
  private static final long SECOND = CleanUps.SECOND_PASS.toMillis();
  private static final long RETRY = CleanUps.RETRY.toMillis();

  @Test
  void aJobGetsAPassAtOnceAndASecondOneLaterThenNothing() {
    CleanUps c = new CleanUps();
    c.ended("a", 0, 5, T0);
    CleanUps.Due first = c.next(T0);
    assertEquals("a", first.jobId());
    assertFalse(first.last());
    c.done(first, T0);
    assertNull(c.next(T0 + SECOND - 1), "the second pass waits for late tiles");
    CleanUps.Due second = c.next(T0 + SECOND);
    assertEquals("a", second.jobId());
    assertTrue(second.last());
    c.done(second, T0 + SECOND);
    assertEquals(0, c.pending());
  }

  @Test
  void aFailedPassIsTriedAgainBeforeASecondPassBookedEarlierForLater() {
    CleanUps c = new CleanUps();
    c.ended("a", 0, 1, T0);
    c.done(c.next(T0), T0); // a's second pass: T0 + 2 min
    c.ended("b", 0, 2, T0 + 1000);
    c.failed(c.next(T0 + 1000), T0 + 1000); // b again at T0 + 1 s + 10 s
    CleanUps.Due retry = c.next(T0 + 1000 + RETRY);
    assertEquals("b", retry.jobId(), "a retry due sooner is not held up behind a's second pass");
    assertFalse(retry.last());
  }

  @Test
  void theCommitStopsAtTheOldestRecordWithAPassToDo() {
    CleanUps c = new CleanUps();
    c.ended("a", 0, 3, T0);
    c.ended("b", 0, 7, T0);
    c.ended("c", 1, 4, T0);
    c.done(c.next(T0), T0); // a's first pass done, its second pending: partition 0 may not pass offset 3
    assertEquals(Map.of(0, 3L, 1, 4L, 2, 9L), c.committable(Map.of(0, 10L, 1, 6L, 2, 9L)));
    c.done(c.next(T0), T0);
    c.done(c.next(T0), T0);
    c.done(c.next(T0 + SECOND), T0 + SECOND);
    c.done(c.next(T0 + SECOND), T0 + SECOND);
    c.done(c.next(T0 + SECOND), T0 + SECOND);
    assertEquals(Map.of(0, 10L, 1, 6L), c.committable(Map.of(0, 10L, 1, 6L)), "all done: up to the positions");
  }

  @Test
  void aFailedPassHoldsTheCommitUntilItGoesThrough() {
    CleanUps c = new CleanUps();
    c.ended("a", 2, 8, T0);
    c.failed(c.next(T0), T0);
    assertEquals(Map.of(2, 8L), c.committable(Map.of(2, 9L)));
  }

  @Test
  void passesOfPartitionsGivenUpAreForgotten() {
    CleanUps c = new CleanUps();
    c.ended("a", 0, 1, T0);
    c.ended("b", 1, 1, T0);
    c.drop(Set.of(0));
    assertEquals("b", c.next(T0).jobId());
    assertNull(c.next(T0));
  }
}
