package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RunQueueTest {
  @Test
  void readsTheRunnableAndTotalThreadsOfALoadavgLine() {
    assertArrayEquals(new long[] {131, 2415}, RunQueue.parse("124.68 47.92 18.04 131/2415 10066\n"));
  }

  @Test
  void saysTheMeansInWords() {
    assertEquals("41 threads runnable on average (of 2,400) for 2 cores",
        new RunQueue.Reading(41.2, 2400).text(2));
    assertEquals("", new RunQueue.Reading(Double.NaN, Double.NaN).text(2));
  }
}
