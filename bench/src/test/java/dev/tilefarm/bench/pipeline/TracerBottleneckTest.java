package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.bench.tracer.RayWorkload;
import org.junit.jupiter.api.Test;

/** The tracer section's note on where a ray's time goes, from counts and times given by hand. */
class TracerBottleneckTest {
  @Test
  void perStepTimeAndTheShareSpentWaitingForMemoryFollowFromTheCountsAndTimes() {
    RayWorkload.Work w = new RayWorkload.Work(12, 8, 1000, 400);
    assertEquals("1000 ns a ray (Embree 250 ns): 12.0 node visits (4 boxes each) and 8.0 triangle tests, 50 ns a "
        + "visit or test; traced again at once (in the cache) 400 ns, so 60% of the time waits for memory",
        TracerSection.timeGoes(w, 4e6));
    assertTrue(TracerSection.memoryBound(w));
    assertFalse(TracerSection.memoryBound(new RayWorkload.Work(12, 8, 1000, 600)));
  }
}
