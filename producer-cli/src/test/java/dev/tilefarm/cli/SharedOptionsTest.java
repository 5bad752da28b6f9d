package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The mixins several commands share keep each command's own defaults and help. */
class SharedOptionsTest {
  private static <T> T command(Class<T> type, String... args) {
    ParseResult parsed = Main.commandLine().parseArgs(args);
    return type.cast(parsed.subcommand().commandSpec().userObject());
  }

  private static String help(String command) {
    return Main.commandLine().getSubcommands().get(command).getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  @Test
  void demoRunsTwoWorkersByDefaultAndTheOthersOne() {
    assertEquals(2, command(DemoCommand.class, "demo").workers.count);
    assertEquals(5, command(DemoCommand.class, "demo", "--workers", "5").workers.count);
    assertEquals(1, command(UpCommand.class, "up").workers.count);
    assertEquals(1, command(SubmitCommand.class, "submit", "a.json").workers.count);
    assertEquals(1, command(RenderCommand.class, "render", "s.json", "-o", "x.png").run.workers.count);
    assertTrue(help("demo").contains("worker instances of an embedded farm (default 2)"), help("demo"));
    assertTrue(help("up").contains("worker instances of an embedded farm (default 1)"), help("up"));
  }

  @Test
  void renderAndSubmitShareTimeoutAndDetach() {
    RunTimeout render = command(RenderCommand.class, "render", "s.json", "-o", "x.png").run.timeout;
    assertEquals(Duration.ZERO, render.limit, "no timeout unless given");
    assertFalse(render.detach);
    RunTimeout submit = command(SubmitCommand.class, "submit", "--wait", "--timeout", "30", "--detach", "a.json").timeout;
    assertEquals(Duration.ofSeconds(30), submit.limit);
    assertTrue(submit.detach);
    assertEquals(Duration.ofSeconds(7), command(GetCommand.class, "get", "j1", "-o", "x.png", "--timeout", "7").timeout.limit);
  }

  @Test
  void aTimeoutThatIsNotWholeSecondsIsRefusedWithTheCommandLine() {
    for (String command : new String[] {"render s.json -o x.png", "process in.png --op invert -o x.png", "submit a.json",
        "get j1 -o x.png", "status j1"}) {
      CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
          () -> Main.commandLine().parseArgs((command + " --timeout -1").split(" ")));
      assertTrue(e.getMessage().contains("--timeout") && e.getMessage().endsWith("must be 0 (never) or more, got -1"),
          command + ": " + e.getMessage());
      e = assertThrows(CommandLine.ParameterException.class,
          () -> Main.commandLine().parseArgs((command + " --timeout 1.5").split(" ")));
      assertTrue(e.getMessage().endsWith("'1.5' is not a whole number of seconds"), command + ": " + e.getMessage());
    }
  }
}
