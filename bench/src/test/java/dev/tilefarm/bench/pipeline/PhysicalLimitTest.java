package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PhysicalLimitTest {
  @Test
  void belowTheLimitIsARatioInTheSameUnit() {
    PhysicalLimit l = new PhysicalLimit("records/s", 7700, 20800);
    assertFalse(l.benchBug());
    assertEquals("0.37 of raw (7700 against 20800 records/s)", l.describe());
  }

  @Test
  void aboveTheLimitIsFlaggedAsABugInTheBench() {
    // The old throughput row: tiles per second divided by S3 objects per second.
    PhysicalLimit l = new PhysicalLimit("objects/s", 8002, 777);
    assertTrue(l.benchBug());
    assertEquals("10.30 of raw (8002 against 777 objects/s) **BENCH BUG: above the physical limit, so the units or "
        + "the raw figure are wrong**", l.describe());
  }

  @Test
  void aLimitMustBeMeasured() {
    var e = assertThrows(IllegalArgumentException.class, () -> new PhysicalLimit("objects/s", 5, 0));
    assertEquals("a rate and its limit in objects/s must be positive, got 5.0 against 0.0", e.getMessage());
  }
}
