package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ExitWithParentTest {
  @Test
  void unsetOrBlankFollowsNoProcess() {
    assertEquals(OptionalLong.empty(), ExitWithParent.parent(Map.of()));
    assertEquals(OptionalLong.empty(), ExitWithParent.parent(Map.of("TILEFARM_EXIT_WITH_PARENT", " ")));
  }

  @Test
  void aPidIsFollowed() {
    assertEquals(OptionalLong.of(4242), ExitWithParent.parent(Map.of("TILEFARM_EXIT_WITH_PARENT", "4242")));
  }

  @Test
  void anythingElseIsAnErrorNamingTheVariable() {
    for (String bad : new String[] {"abc", "0", "-3", "12x"}) {
      Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
          () -> ExitWithParent.parent(Map.of("TILEFARM_EXIT_WITH_PARENT", bad)));
      assertTrue(e.getMessage().startsWith("TILEFARM_EXIT_WITH_PARENT: '" + bad + "' is not a process id"),
          e.getMessage());
    }
  }
}
