package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The null checks of required components: the first null one is named. */
class RequireTest {
  @Test
  void theFirstNullComponentIsNamed() {
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Require.nonNull("jobId", "j", "output", null, "tileUri", null));
    assertEquals("output", e.getMessage());
  }

  @Test
  void noNullComponentPasses() {
    assertDoesNotThrow(() -> Require.nonNull("jobId", "j", "tileCount", 4));
    assertDoesNotThrow(() -> Require.nonNull());
  }

  @Test
  void namesAndValuesMustPair() {
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
        () -> Require.nonNull("jobId", "j", "output"));
    assertEquals("names and values come in pairs, got 3 arguments", odd.getMessage());
    IllegalArgumentException unnamed = assertThrows(IllegalArgumentException.class,
        () -> Require.nonNull(7, "j"));
    assertEquals("argument 0 must be a component's name, got 7", unnamed.getMessage());
  }
}
