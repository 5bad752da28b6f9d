package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoleProcessTest {
  /** Before, a role process whose Streams client went to ERROR kept running, and exited 0 when stopped. */
  @Test
  void aRoleThatStopsWorkingIsClosedAndTheProcessExitsWithItsOwnCode() {
    AtomicBoolean closed = new AtomicBoolean();
    AtomicInteger checks = new AtomicInteger();
    RoleProcess.RoleFailedException e = assertThrows(RoleProcess.RoleFailedException.class,
        () -> RoleProcess.runUntilStopped(() -> closed.set(true), "compositor on test",
            () -> checks.incrementAndGet() < 2 ? null : "its Kafka Streams client is ERROR"));
    assertTrue(closed.get(), "the role is closed");
    assertTrue(e.getMessage().contains("compositor on test") && e.getMessage().contains("ERROR"), e.getMessage());
    assertEquals(6, Main.ExitCodes.of(e));
  }
}
