package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandTest {
  @Test
  void opSpecsBecomeJsonOps() throws Exception {
    assertEquals("[{\"op\":\"gaussian-blur\",\"sigma\":2.5},{\"op\":\"grayscale\"},{\"op\":\"x\",\"mode\":\"fast\",\"on\":true}]",
        ProcessCommand.parseOps(List.of("gaussian-blur:sigma=2.5", "grayscale", "x:mode=fast,on=true")).toString());
  }

  @Test
  void malformedOpSpecIsAUsageError() {
    Main.UsageException e = assertThrows(Main.UsageException.class,
        () -> ProcessCommand.parseOps(List.of("gaussian-blur:2.5")));
    assertEquals("--op gaussian-blur:2.5: expected NAME:key=value,...", e.getMessage());
  }

  @Test
  void helpListsEveryOp() {
    String help = ProcessCommand.opsHelp();
    for (String op : dev.tilefarm.schemas.Ops.names()) {
      assertEquals(true, help.contains(op), op);
    }
    assertEquals(0, Main.commandLine().execute("process", "--help"));
  }
}
