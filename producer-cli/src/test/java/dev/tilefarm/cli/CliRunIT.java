package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's render, process, submit and cancel as a person runs them (issue 17): through {@code Main} against a
 * real farm, an embedded one where the embedded farm is the point, and as a child process for Ctrl-C.
 */
class CliRunIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  /** A scene whose tiles take long: a 400-pixel tile at 512 paths a pixel is tens of seconds. */
  private static final String SLOW = "{\"type\":\"render\",\"renderer\":\"builtin\",\"width\":800,\"height\":800,"
      + "\"samples\":512,\"tileSize\":400,\"scene\":" + scene() + "}";

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir.resolve("farm"), 1);
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  private static String scene() {
    try {
      return Files.readString(Path.of("../examples/scenes/spheres.json"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void timeoutCancelsTheJobEndsSoonAfterTheLimitAndTheJobDoesNotResume() throws Exception {
    Path job = Files.writeString(dir.resolve("slow.json"), SLOW);
    Path data = dir.resolve("timeout-data");
    long[] submittedAt = {0};
    Cli run = cli(s -> {
      if (submittedAt[0] == 0 && s.contains("submitted job")) {
        submittedAt[0] = System.nanoTime();
      }
    }, "render", job.toString(), "-o", dir.resolve("slow.png").toString(), "--timeout", "3",
        "--data-dir", data.toString());
    double after = (System.nanoTime() - submittedAt[0]) / 1e9 - 3;
    assertEquals(Main.ExitCodes.TIMEOUT, run.code(), run.stderr());
    String id = jobId(run.stderr());
    assertTrue(run.stderr().contains("cancelled job " + id + " (timed out after 3 s); --detach leaves jobs running"),
        run.stderr());
    // Was 30 s and more: the worker finished its tile in hand (shutdown grace) before the farm stopped.
    assertTrue(after < 12, "the command ended " + after + " s after its limit");
    // The next command on this data directory starts the farm again: the job is CANCELLED, not taken up again.
    Cli status = cli(s -> { }, "status", id, "--data-dir", data.toString());
    assertTrue(status.stdout().contains("CANCELLED: timed out after 3 s"), status.stdout());
    assertFalse(status.stdout().contains("COMPLETED"), status.stdout());
  }

  @Test
  void timeoutWithDetachLeavesTheJobRunning() throws Exception {
    // Many short tiles: the job outlasts the limit, and the cancel at the end frees the worker at once.
    Path job = Files.writeString(dir.resolve("slow-detached.json"), SLOW.replace("\"samples\":512,\"tileSize\":400",
        "\"samples\":64,\"tileSize\":64"));
    Cli run = cliOnFarm(s -> { }, "submit", "--wait", job.toString(), "--timeout", "2", "--detach");
    assertEquals(Main.ExitCodes.TIMEOUT, run.code(), run.stderr());
    String id = jobId(run.stderr());
    assertTrue(run.stderr().contains("left job " + id + " running (timed out after 2 s, --detach)"), run.stderr());
    List<JobEvent> events = history(id);
    assertTrue(events.isEmpty() || !events.get(events.size() - 1).terminal(), "still running: " + events);
    assertEquals(0, cliOnFarm(s -> { }, "cancel", id).code());
  }

  @Test
  void cancelOfAnIdTheFarmHasNeverSeenExitsOneUnlessBeforeArrival() throws Exception {
    Cli typo = cliOnFarm(s -> { }, "cancel", "job-typo");
    assertEquals(Main.ExitCodes.JOB_FAILED, typo.code(), typo.stderr());
    assertTrue(typo.stderr().contains("no job job-typo on this farm"), typo.stderr());
    assertTrue(history("job-typo").isEmpty(), "nothing was cancelled, the id is not reserved");
    Cli reserved = cliOnFarm(s -> { }, "cancel", "job-later", "--before-arrival");
    assertEquals(0, reserved.code(), reserved.stderr());
    assertInstanceOf(JobEvent.Cancelled.class, history("job-later").get(0));
  }

  @Test
  void cancelOfAJobSubmittedButNotYetAcceptedCancelsIt() throws Exception {
    // Published straight to the jobs topic with no wait: the cancel may well come before the ACCEPTED event.
    try (JobClient client = new JobClient(farm.farm.settings())) {
      client.submit(TestFarm.json("{\"id\":\"job-fresh\"," + SLOW.substring(1)));
    }
    Cli cancel = cliOnFarm(s -> { }, "cancel", "job-fresh");
    assertEquals(0, cancel.code(), cancel.stderr());
    assertTrue(cancel.stdout().contains("job-fresh CANCELLED"), cancel.stdout());
  }

  @Test
  void processSavesAndPrintsTheAnalysisReportBesideTheImage() throws Exception {
    Path out = dir.resolve("analysed/still.png");
    Cli run = cliOnFarm(s -> { }, "process", "../examples/images/still-life.png", "-o", out.toString(),
        "--op", "histogram:bins=16", "--op", "dominant-colors:count=3");
    assertEquals(0, run.code(), run.stderr());
    Path report = dir.resolve("analysed/still.report.json");
    assertTrue(Files.isRegularFile(report), run.stdout());
    JsonNode json = Json.MAPPER.readTree(report.toFile());
    assertTrue(json.toString().contains("histogram"), json.toString());
    assertTrue(json.toString().contains("dominant"), json.toString());
    assertTrue(run.stdout().contains("report s3://") && run.stdout().contains("histogram"), run.stdout());
  }

  @Test
  void aSaveThatFailsAfterTheJobCompletedSaysWhereTheImageIsAndHowToGetIt() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("vanishing"));
    Cli run = cliOnFarm(s -> {
      if (s.contains("submitted job") && Files.isDirectory(folder)) {
        try {
          // The folder checked before submission is gone by the time the image is saved: a file in its place.
          Files.delete(folder);
          Files.writeString(folder, "in the way");
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }, "render", "../examples/scenes/spheres.json", "--size", "64x48", "-o", folder.resolve("x.png").toString());
    assertEquals(Main.ExitCodes.USAGE, run.code(), run.stderr());
    String id = jobId(run.stderr());
    assertTrue(run.stderr().contains("job " + id + " completed, but its output could not be saved"), run.stderr());
    assertTrue(run.stderr().contains("It is in the farm's bucket at s3://tilefarm/outputs/" + id + ".png"),
        run.stderr());
    assertTrue(run.stderr().contains("tilefarm get " + id + " -o FILE"), run.stderr());
    assertFalse(run.stderr().contains("\tat "), "no stack trace: " + run.stderr());
  }

  @Test
  void ctrlCCancelsTheJobTheCommandSubmitted() throws Exception {
    Path job = Files.writeString(dir.resolve("slow-ctrl-c.json"), SLOW);
    Path data = dir.resolve("ctrl-c-data");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", Path.of("target/tilefarm.jar").toAbsolutePath().toString(), "render", job.toString(),
        "-o", dir.resolve("ctrl-c.png").toString(), "--data-dir", data.toString());
    pb.environment().remove("TILEFARM_LOG_DIR");
    pb.environment().remove("TILEFARM_DATA_DIR");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    String id = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (id == null && line.contains("submitted job")) {
          id = jobId(line);
          Thread.sleep(1000);
          assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out.toString());
    assertEquals(Main.ExitCodes.INTERRUPTED, p.exitValue(), out.toString());
    assertTrue(out.toString().contains("cancelled job " + id + " (Ctrl-C); --detach leaves jobs running"),
        out.toString());
    // The log went to the data directory given, not ~/.tilefarm.
    assertTrue(Files.size(data.resolve("logs/tilefarm.log")) > 0, "no log under " + data);
    assertFalse(out.toString().contains("org.apache.kafka"), "Kafka's messages on the terminal: " + out);
    Cli status = cli(s -> { }, "status", id, "--data-dir", data.toString());
    assertTrue(status.stdout().contains("CANCELLED: Ctrl-C"), status.stdout());
  }

  private static String jobId(String text) {
    Matcher m = Pattern.compile("submitted job (\\S+)").matcher(text);
    assertTrue(m.find(), text);
    return m.group(1);
  }

  private static List<JobEvent> history(String id) {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      return client.history(id);
    }
  }

  /** Runs the CLI as a client of the test farm's broker and S3 server. */
  private static Cli cliOnFarm(Consumer<String> onStderr, String... args) throws Exception {
    return Cli.onFarm(farm, dir, Map.of(), onStderr, args);
  }

  /** Runs the CLI in this JVM; {@code onStderr} sees stderr so far on every write. */
  private static Cli cli(Consumer<String> onStderr, String... args) {
    return Cli.run(onStderr, args);
  }
}
