package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI checks before it uploads or submits anything, and where its logs go (issue 17). */
class CliChecksTest {
  @TempDir
  Path dir;

  @Test
  void outputInAFolderThatCannotBeWrittenIsRefused() {
    Main.UsageException e = assertThrows(Main.UsageException.class,
        () -> RenderCommand.checkOutput(Path.of("/proc/nope/x.png")));
    assertTrue(e.getMessage().contains("cannot write in /proc"), e.getMessage());
  }

  @Test
  void outputWithAnUnsupportedExtensionIsRefused() {
    Main.UsageException e = assertThrows(Main.UsageException.class,
        () -> RenderCommand.checkOutput(dir.resolve("x.gif")));
    assertTrue(e.getMessage().contains("'.gif' is not a supported image format"), e.getMessage());
    e = assertThrows(Main.UsageException.class, () -> RenderCommand.checkOutput(dir.resolve("x")));
    assertTrue(e.getMessage().contains("no extension"), e.getMessage());
  }

  @Test
  void outputUnderAFileOrOnAFolderIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertThrows(Main.UsageException.class, () -> RenderCommand.checkOutput(file.resolve("x.png")));
    Path folder = Files.createDirectory(dir.resolve("folder.png"));
    assertThrows(Main.UsageException.class, () -> RenderCommand.checkOutput(folder));
  }

  @Test
  void outputInAFolderStillToBeMadeIsAccepted() throws Exception {
    RenderCommand.checkOutput(dir.resolve("new/deeper/x.jpg"));
    RenderCommand.checkOutput(dir.resolve("shot/frame-####.png"));
    assertFalse(Files.exists(dir.resolve("new")), "the check makes no folders");
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count(), "the check leaves no files");
    }
  }

  @Test
  void processInputMustBeAReadableImage() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
    Main.UsageException e = assertThrows(Main.UsageException.class, () -> ProcessCommand.checkInput(text.toString()));
    assertTrue(e.getMessage().contains("not an image"), e.getMessage());
    e = assertThrows(Main.UsageException.class,
        () -> ProcessCommand.checkInput(dir.resolve("missing.png").toString()));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    ProcessCommand.checkInput(Path.of("../examples/images/still-life.png").toString());
    ProcessCommand.checkInput("s3://tilefarm/anything.png"); // the farm's to check
  }

  @Test
  void aJobInputPassesThroughOnlyIfTheFarmWouldTakeIt() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode chained = TestFarm.json(
        "{\"id\":\"p1\",\"type\":\"process\",\"input\":\"job:r1\",\"ops\":[{\"op\":\"grayscale\"}]}");
    assertEquals(null, Inputs.localInput(chained, dir, "deps.jsonl job 1"));
    assertEquals("job:r1", chained.get("input").asText(), "passed through unchanged");
    Main.UsageException e = assertThrows(Main.UsageException.class, () -> Inputs.localInput(TestFarm.json(
        "{\"id\":\"p1\",\"type\":\"process\",\"input\":\"job:bad id\",\"ops\":[]}"), dir, "deps.jsonl job 1"));
    assertEquals("deps.jsonl job 1: input: 'job:bad id' must name a job: \"job:\" and 1-128 characters of letters, "
        + "digits, '.', '_' or '-'", e.getMessage());
    e = assertThrows(Main.UsageException.class, () -> Inputs.localInput(TestFarm.json(
        "{\"id\":\"p1\",\"type\":\"process\",\"input\":\"job:p1\",\"ops\":[]}"), dir, "p.json"));
    assertTrue(e.getMessage().startsWith("p.json: input: 'job:p1' is the job's own id"), e.getMessage());
  }

  @Test
  void renderWithABadOutputExitsTwoBeforeStartingAFarm() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    int code;
    try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setErr(capture);
      code = Main.commandLine().execute("render", "../examples/scenes/spheres.json", "-o", "/proc/nope/x.png",
          "--data-dir", dir.resolve("data").toString());
    } finally {
      System.setErr(err);
    }
    String stderr = captured.toString(StandardCharsets.UTF_8);
    assertEquals(Main.ExitCodes.USAGE, code, stderr);
    assertTrue(stderr.contains("-o /proc/nope/x.png: cannot write in /proc"), stderr);
    assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
    assertFalse(Files.exists(dir.resolve("data")), "no farm was started");
  }

  @Test
  void workerWithAnUnknownRendererExitsTwoNamingTheOptionAndTheValidNames() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    int code;
    try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setErr(capture);
      code = Main.commandLine().execute("worker", "--renderers", "povray,maya", "--data-dir",
          dir.resolve("data").toString());
    } finally {
      System.setErr(err);
    }
    String stderr = captured.toString(StandardCharsets.UTF_8);
    assertEquals(Main.ExitCodes.USAGE, code, stderr);
    assertTrue(stderr.contains("--renderers"), stderr);
    assertTrue(stderr.contains("unknown renderer 'maya' (valid: povray, blender, ffmpeg, or none)"), stderr);
    assertFalse(Files.exists(dir.resolve("data")), "nothing was started");
  }

  @Test
  void processWithANonImageExitsTwoBeforeStartingAFarm() throws Exception {
    Path text = Files.writeString(dir.resolve("in.png"), "hello");
    int code = Main.commandLine().execute("process", text.toString(), "-o", dir.resolve("out.png").toString(),
        "--op", "grayscale", "--data-dir", dir.resolve("data").toString());
    assertEquals(Main.ExitCodes.USAGE, code);
    assertFalse(Files.exists(dir.resolve("data")), "no farm was started");
  }

  @Test
  void logsLiveUnderTheDataDirectoryUnlessTileFarmLogDirSaysOtherwise() {
    Settings settings = Settings.load(Map.of("data.dir", dir.toString()), Map.of(), null);
    assertEquals(dir.resolve("logs"), Main.logDir(settings, Map.of()));
    Settings fromEnv = Settings.load(Map.of(), Map.of("TILEFARM_DATA_DIR", dir.resolve("env").toString()), null);
    assertEquals(dir.resolve("env").resolve("logs"), Main.logDir(fromEnv, Map.of()));
    assertEquals(Path.of("/var/log/tf"), Main.logDir(settings, Map.of("TILEFARM_LOG_DIR", "/var/log/tf")));
  }

  @Test
  void kafkaClientErrorsGoToTheLogFileOnlyAndTilefarmErrorsAlsoToTheTerminal() throws Exception {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    PrintStream err = System.err;
    String before = System.getProperty(Main.LOG_DIR_PROPERTY);
    LoggerContext context = new LoggerContext();
    try (PrintStream capture = new PrintStream(terminal, true, StandardCharsets.UTF_8)) {
      System.setErr(capture);
      System.setProperty(Main.LOG_DIR_PROPERTY, dir.resolve("logs").toString());
      context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      // The CLI's own configuration, not the tests' logback-test.xml.
      configurator.doConfigure(Main.class.getResource("/logback.xml"));
      // The terminal appender, writing here instead of to the test's own System.err.
      var appender = context.getLogger("dev.tilefarm").getAppender("CONSOLE");
      if (appender == null) {
        appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
      }
      var console = (ch.qos.logback.core.OutputStreamAppender<?>) appender;
      console.setOutputStream(terminal);
      context.getLogger("org.apache.kafka.clients.producer.internals.Sender").error(
          "[Producer clientId=x] The broker received an out of order sequence number",
          new OutOfOrderSequenceException("out of order"));
      context.getLogger("org.apache.kafka.clients.consumer.internals.ConsumerCoordinator").error(
          "NotCoordinatorException while committing");
      context.getLogger("dev.tilefarm.cli.Farm").error("a tilefarm problem");
    } finally {
      context.stop();
      System.setErr(err);
      if (before == null) {
        System.clearProperty(Main.LOG_DIR_PROPERTY);
      } else {
        System.setProperty(Main.LOG_DIR_PROPERTY, before);
      }
    }
    String shown = terminal.toString(StandardCharsets.UTF_8);
    assertTrue(shown.contains("a tilefarm problem"), shown);
    assertFalse(shown.contains("OutOfOrderSequence") || shown.contains("out of order"), shown);
    assertFalse(shown.contains("NotCoordinator"), shown);
    String file = Files.readString(dir.resolve("logs/tilefarm.log"));
    assertTrue(file.contains("OutOfOrderSequenceException"), file);
    assertTrue(file.contains("NotCoordinatorException while committing"), file);
    assertTrue(file.contains("a tilefarm problem"), file);
  }
}
