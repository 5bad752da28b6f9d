package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BlocklistTest {
  @Test
  void aJobIsBlockedAfterTheThresholdAndOnlyForAWhile() {
    Blocklist b = new Blocklist(3, Duration.ofSeconds(10));
    assertFalse(b.failed("j", 0));
    assertFalse(b.failed("j", 1));
    assertFalse(b.blocked("j", 2));
    assertTrue(b.failed("j", 2));
    assertTrue(b.blocked("j", 3));
    assertFalse(b.blocked("other", 3));
    assertTrue(b.blocked("j", 10_001));
    assertFalse(b.blocked("j", 10_002));
  }

  /**
   * A tile that fails on every delivery, on a farm of one worker, as RenderWorker settles it: released while
   * its job is blocklisted, else made, failed, and given up from the max-attempts-th delivery. It must end
   * at worker.max-attempts deliveries (it ended at 9 with 5 documented, the blocklist's releases using up
   * deliveries until the share group's limit).
   */
  @Test
  void aTileThatAlwaysFailsEndsAtMaxAttemptsDeliveriesDespiteTheBlocklist() {
    int maxAttempts = WorkerConfig.DEFAULT_MAX_ATTEMPTS;
    Blocklist b = new Blocklist(WorkerConfig.DEFAULT_BLOCKLIST_AFTER, Duration.ofMinutes(10));
    int givenUpAt = -1;
    for (int delivery = 1; delivery <= WorkerConfig.DELIVERY_LIMIT; delivery++) {
      long now = delivery * 1000L;
      if (Blocklist.releases(b.blocked("j", now), delivery, maxAttempts)) {
        continue;
      }
      b.failed("j", now);
      if (delivery >= maxAttempts) {
        givenUpAt = delivery;
        break;
      }
    }
    assertEquals(maxAttempts, givenUpAt);
    assertTrue(Blocklist.releases(true, maxAttempts - 1, maxAttempts));
    assertFalse(Blocklist.releases(true, maxAttempts, maxAttempts));
    assertFalse(Blocklist.releases(false, 1, maxAttempts));
  }
}
