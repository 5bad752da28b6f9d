package dev.tilefarm.worker;

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
}
