package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.TileKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jobs}, {@code status}, {@code status --follow}, {@code logs} and {@code get --wait} run through
 * {@link Main} against a real embedded farm: as a running {@code tilefarm up} on the same data directory
 * ({@code --data-dir}), and as a cluster ({@code --config} with its addresses).
 */
class JobCommandsIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir, 2);
    farm.farm.advertise(); // what 'tilefarm up' does: commands on this data directory use this farm
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  private static String mandelbrot(String id) {
    return "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":128,\"height\":96,"
        + "\"tileSize\":32}";
  }

  private static String badOp(String id) {
    return "{\"id\":\"" + id + "\",\"type\":\"process\",\"input\":\"s3://tilefarm/none.png\","
        + "\"ops\":[{\"op\":\"sharpen-everything\"}]}";
  }

  @Test
  void jobsListsStatusProgressAndAgeFiltersByStatusAndSpeaksJson() throws Exception {
    var ends = farm.run(TestFarm.json(mandelbrot("list-done")), TestFarm.json(badOp("list-bad")));
    assertInstanceOf(JobEvent.Completed.class, ends.get("list-done"));
    assertInstanceOf(JobEvent.Rejected.class, ends.get("list-bad"));

    Cli all = cli("jobs", "--limit", "0", "--data-dir", dir.toString());
    assertEquals(0, all.code(), all.stderr());
    assertTrue(all.stdout().startsWith("JOB "), all.stdout());
    assertTrue(line(all.stdout(), "list-done").matches("list-done +COMPLETED +50 +12/12 tiles \\(100%\\) +render +128x96 +\\d+s"),
        all.stdout());
    assertTrue(line(all.stdout(), "list-bad").matches("list-bad +REJECTED +- +- +- +- +\\d+s"), all.stdout());

    Cli done = cli("jobs", "--status", "completed", "--limit", "0", "--data-dir", dir.toString());
    assertEquals(0, done.code(), done.stderr());
    assertTrue(done.stdout().contains("list-done"), done.stdout());
    assertFalse(done.stdout().contains("list-bad"), done.stdout());

    Cli bad = cli("jobs", "--status", "running,finished", "--data-dir", dir.toString());
    assertEquals(2, bad.code());
    assertTrue(bad.stderr().contains("unknown status 'finished'; valid: ACCEPTED, RUNNING, COMPLETED, FAILED, "
        + "REJECTED, CANCELLED, PAUSED, WAITING"), bad.stderr());

    Cli json = cli("jobs", "--json", "--status", "REJECTED", "--status", "CANCELLED", "--limit", "0",
        "--data-dir", dir.toString());
    assertEquals(0, json.code(), json.stderr());
    List<JsonNode> rows = new ArrayList<>();
    for (String l : json.stdout().split("\n")) {
      rows.add(Json.MAPPER.readTree(l));
    }
    JsonNode rejected = rows.stream().filter(r -> r.get("id").asText().equals("list-bad")).findFirst().orElseThrow();
    assertEquals("REJECTED", rejected.get("status").asText());
    assertTrue(rejected.get("end").asText().startsWith("list-bad REJECTED: "), rejected.toString());
    assertEquals(1, rejected.get("events").asInt(), rejected.toString());
    assertTrue(rows.stream().allMatch(r -> r.get("status").asText().matches("REJECTED|CANCELLED")), json.stdout());

    Cli one = cli("jobs", "--limit", "1", "--data-dir", dir.toString());
    assertEquals(2, one.stdout().split("\n").length, "a header and one job: " + one.stdout());
  }

  @Test
  void statusIsASummaryUnlessEveryEventIsAskedFor() throws Exception {
    assertInstanceOf(JobEvent.Completed.class, farm.runOne(TestFarm.json(mandelbrot("status-done"))));
    Cli summary = cli("status", "status-done", "--data-dir", dir.toString());
    assertEquals(0, summary.code(), summary.stderr());
    assertTrue(summary.stdout().contains("status    COMPLETED  12/12 tiles (100%)"), summary.stdout());
    assertTrue(summary.stdout().contains("ended     COMPLETED 128x96 PNG -> s3://tilefarm/outputs/status-done.png"),
        summary.stdout());
    assertFalse(summary.stdout().contains("PROGRESS"), summary.stdout());
    assertTrue(summary.stdout().split("\n").length <= 6, summary.stdout());

    Cli events = cli("status", "status-done", "--events", "--data-dir", dir.toString());
    assertEquals(0, events.code(), events.stderr());
    assertTrue(events.stdout().contains("ACCEPTED  render 128x96 in 12 tiles"), events.stdout());
    assertTrue(events.stdout().contains("COMPLETED 128x96"), events.stdout());
  }

  @Test
  void followShowsTheJobUntilItsEndAndExitsAsRenderWaitWould() throws Exception {
    String id;
    try (JobClient client = new JobClient(farm.farm.settings())) {
      id = client.submit(TestFarm.json("{\"type\":\"render\",\"renderer\":\"builtin\",\"width\":160,\"height\":120,"
          + "\"samples\":8,\"tileSize\":40,\"scene\":{\"camera\":{\"position\":[0,1,4],\"lookAt\":[0,0.5,0],"
          + "\"fov\":45},\"sky\":[0.4,0.5,0.7],\"materials\":{\"w\":{\"type\":\"diffuse\",\"color\":[0.8,0.8,0.8]}},"
          + "\"objects\":[{\"type\":\"sphere\",\"center\":[0,0.5,0],\"radius\":0.5,\"material\":\"w\"}]}}"));
    }
    Cli follow = cli("status", id, "--follow", "--data-dir", dir.toString());
    assertEquals(0, follow.code(), follow.stderr());
    String[] lines = follow.stdout().split("\n");
    // Not a terminal here: one line per change, each the job's state; the last says how it ended.
    assertTrue(lines.length >= 2, follow.stdout());
    for (int i = 0; i < lines.length - 1; i++) {
      assertTrue(lines[i].matches(id + "  (ACCEPTED|RUNNING)  \\[[#.]{20}\\] \\d+/12 tiles \\(\\d+%\\)"), lines[i]);
    }
    assertTrue(lines[lines.length - 1].startsWith(id + " COMPLETED 160x120 PNG"), follow.stdout());

    farm.runOne(TestFarm.json(badOp("follow-bad")));
    Cli rejected = cli("status", "follow-bad", "--follow", "--data-dir", dir.toString());
    assertEquals(1, rejected.code(), rejected.stdout());
    assertTrue(rejected.stdout().trim().startsWith("follow-bad REJECTED: "), rejected.stdout());

    long start = System.nanoTime();
    Cli unknown = cli("status", "no-such-job-xyz", "--follow", "--timeout", "2", "--data-dir", dir.toString());
    assertEquals(4, unknown.code(), unknown.stderr());
    assertTrue(unknown.stderr().contains("no events for job no-such-job-xyz yet"), unknown.stderr());
    assertTrue(System.nanoTime() - start < 30_000_000_000L, "--timeout 2 took "
        + (System.nanoTime() - start) / 1_000_000 + " ms");
  }

  @Test
  void getWaitsForTheJobThenSavesItsImageAndFailsForAJobThatFailed() throws Exception {
    String id;
    try (JobClient client = new JobClient(farm.farm.settings())) {
      id = client.submit(TestFarm.json(mandelbrot("get-wait-1")));
    }
    Path out = dir.resolve("got/get-wait-1.png");
    Cli get = cli("get", id, "--wait", "-o", out.toString(), "--data-dir", dir.toString());
    assertEquals(0, get.code(), get.stderr());
    assertTrue(get.stdout().contains("wrote " + out.toAbsolutePath()), get.stdout());
    assertArrayEquals(farm.farm.blobs().get(S3Uri.parse("s3://tilefarm/outputs/get-wait-1.png")),
        Files.readAllBytes(out));

    farm.runOne(TestFarm.json(badOp("get-wait-bad")));
    Cli bad = cli("get", "get-wait-bad", "--wait", "-o", dir.resolve("bad.png").toString(),
        "--data-dir", dir.toString());
    assertEquals(1, bad.code(), bad.stderr());
    assertTrue(bad.stderr().contains("get-wait-bad REJECTED"), bad.stderr());
    assertFalse(Files.exists(dir.resolve("bad.png")));
  }

  @Test
  void logsPrintTheRendererLogsOfEveryTileOrOneAndSayWhenThereAreNone() throws Exception {
    S3Uri scene = S3Uri.parse("s3://tilefarm/it/logs-scene.pov");
    farm.farm.blobs().put(scene, ("#version 3.7;\ncamera { location <0, 0, -4> look_at 0 }\n"
        + "light_source { <4, 4, -4> rgb 1 }\nsphere { 0, 1 pigment { rgb <0.2, 0.6, 0.9> } }\n")
        .getBytes(StandardCharsets.UTF_8), "text/plain");
    JobEvent done = farm.runOne(TestFarm.json("{\"id\":\"logs-pov\",\"type\":\"render\",\"renderer\":\"povray\","
        + "\"width\":64,\"height\":64,\"tileSize\":32,\"scene\":\"" + scene + "\"}"));
    assertInstanceOf(JobEvent.Completed.class, done, String.valueOf(done));

    Cli logs = cli("logs", "logs-pov", "--config", clusterConfig().toString());
    assertEquals(0, logs.code(), logs.stderr());
    for (int tile = 0; tile < 4; tile++) {
      assertTrue(logs.stdout().contains("==> tile " + tile + " (s3://tilefarm/logs/logs-pov/" + tile + ".log) <=="),
          logs.stdout());
    }
    assertTrue(logs.stdout().indexOf("==> tile 0 ") < logs.stdout().indexOf("==> tile 3 "), "in tile order");
    String tile2 = new String(farm.farm.blobs().get(TileKeys.tileLog("tilefarm", "logs-pov", 2)),
        StandardCharsets.UTF_8);
    assertTrue(tile2.contains("POV-Ray finished"), tile2);
    assertTrue(logs.stdout().contains(tile2), "tile 2's log is printed whole");

    Cli one = cli("logs", "logs-pov", "--tile", "2", "--data-dir", dir.toString());
    assertEquals(0, one.code(), one.stderr());
    assertEquals(tile2, one.stdout());

    // A failed tile's log is the one its FAILED event names.
    farm.farm.blobs().put(S3Uri.parse("s3://tilefarm/it/logs-bad.pov"),
        "#version 3.7;\n#include \"/etc/passwd\"\ncamera { location <0, 0, -4> look_at 0 }\n"
            .getBytes(StandardCharsets.UTF_8), "text/plain");
    JobEvent.Failed failed = assertInstanceOf(JobEvent.Failed.class, farm.runOne(TestFarm.json("{\"id\":\"logs-bad\","
        + "\"type\":\"render\",\"renderer\":\"povray\",\"width\":32,\"height\":32,\"scene\":\"s3://tilefarm/it/logs-bad.pov\"}")));
    assertNotNull(failed.log(), String.valueOf(failed));
    Cli failedLog = cli("logs", "logs-bad", "--tile", String.valueOf(failed.tile()), "--data-dir", dir.toString());
    assertEquals(0, failedLog.code(), failedLog.stderr());
    assertEquals(new String(farm.farm.blobs().get(failed.log()), StandardCharsets.UTF_8), failedLog.stdout());
    assertTrue(failedLog.stdout().contains("/etc/passwd"), failedLog.stdout());

    assertInstanceOf(JobEvent.Completed.class, farm.runOne(TestFarm.json(mandelbrot("logs-none"))));
    Cli none = cli("logs", "logs-none", "--data-dir", dir.toString());
    assertEquals(1, none.code());
    assertTrue(none.stderr().contains("no renderer logs for job logs-none (s3://tilefarm/logs/logs-none/): only povray "
        + "and blender tiles keep logs"), none.stderr());
    Cli noTile = cli("logs", "logs-pov", "--tile", "99", "--data-dir", dir.toString());
    assertEquals(1, noTile.code());
    assertTrue(noTile.stderr().contains("no renderer log for tile 99 of job logs-pov"), noTile.stderr());
  }

  private static String line(String text, String startingWith) {
    for (String l : text.split("\n")) {
      if (l.startsWith(startingWith + " ")) {
        return l;
      }
    }
    throw new AssertionError("no line for " + startingWith + " in:\n" + text);
  }

  /** A tilefarm.properties with the test farm's addresses, as a client of a cluster would have. */
  private static Path clusterConfig() throws Exception {
    Settings s = farm.farm.settings();
    Properties config = new Properties();
    config.setProperty("bootstrap.servers", s.bootstrapServers());
    config.setProperty("s3.endpoint", s.s3Endpoint().toString());
    config.setProperty("s3.access-key", s.s3AccessKey());
    config.setProperty("s3.secret-key", s.s3SecretKey());
    config.setProperty("s3.bucket", s.bucket());
    Path file = dir.resolve("client-" + System.nanoTime() + ".properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      config.store(w, null);
    }
    return file;
  }

  /**
   * What the command printed, without the lines of the farm's roles, which run in this JVM and log to the same
   * stdout here (logback-test.xml); a real 'tilefarm up' is another process.
   */
  private static String withoutLogLines(String text) {
    StringBuilder out = new StringBuilder();
    for (String l : text.split("(?<=\n)")) {
      if (!l.matches("(?s)\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) .*")) {
        out.append(l);
      }
    }
    return out.toString();
  }

  /** Runs the CLI as {@code tilefarm ARGS}; its stdout without the farm's log lines (same JVM in tests). */
  private static Cli cli(String... args) {
    Cli run = Cli.run(args);
    Cli cli = new Cli(run.code(), withoutLogLines(run.stdout().replace("\r\n", "\n")), run.stderr());
    System.out.print(cli.stdout());
    return cli;
  }
}
