package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobStatesTest {
  private static final S3Uri OUT = S3Uri.parse("s3://tilefarm/outputs/a.png");

  private static JobEvent.Accepted accepted(String id, long at, int tiles) {
    return new JobEvent.Accepted(id, at, "render", tiles, 300, 200, OUT);
  }

  @Test
  void aPausedJobStaysPausedWhileItsTilesInHandFinishAndKeepsItsPriority() {
    JobStates.JobState s = JobStates.of(List.of(new JobEvent.Accepted("p", 1000, "render", 8, 300, 200, OUT, 40),
        new JobEvent.Progress("p", 2000, 1, 8), new JobEvent.Paused("p", 2500), new JobEvent.Progress("p", 3000, 2, 8)));
    assertEquals(JobStatus.PAUSED, s.status());
    assertEquals(40, s.priority());
    s = JobStates.apply(s, new JobEvent.Prioritized("p", 3500, 90));
    assertEquals(JobStatus.PAUSED, s.status(), "a priority change keeps the status");
    assertEquals(90, s.priority());
    s = JobStates.apply(s, new JobEvent.Resumed("p", 4000, 1500));
    assertEquals(JobStatus.RUNNING, s.status());
    assertTrue(JobStates.summary(s, 5000).contains("type      render 300x200, priority 90"),
        JobStates.summary(s, 5000));
  }

  @Test
  void aRefusedScheduleRequestLeavesTheJobAsItStoodAndReadsWithItsReason() {
    JobStates.JobState s = JobStates.of(List.of(new JobEvent.Accepted("p", 1000, "render", 8, 300, 200, OUT, 40),
        new JobEvent.Paused("p", 2500)));
    JobEvent.ScheduleRefused refused = new JobEvent.ScheduleRefused("p", 3000, "pause", "job 'p' is paused already");
    JobStates.JobState after = JobStates.apply(s, refused);
    assertEquals(JobStatus.PAUSED, after.status());
    assertEquals(40, after.priority());
    assertEquals(3000, after.lastAt());
    assertEquals("p SCHEDULE_REFUSED (pause): job 'p' is paused already", JobRunner.describe(refused));
  }

  @Test
  void eventsFoldIntoWhereTheJobStands() throws Exception {
    JobStates.JobState s = JobStates.of(List.of(accepted("a", 1000, 8)));
    assertEquals(JobStatus.ACCEPTED, s.status());
    assertEquals("0/8 tiles (0%)", JobStates.progress(s));
    s = JobStates.apply(s, new JobEvent.Progress("a", 2000, 3, 8));
    assertEquals(JobStatus.RUNNING, s.status());
    assertEquals("3/8 tiles (37%)", JobStates.progress(s));
    s = JobStates.apply(s, new JobEvent.Failed("a", 3000, "tile 4: povray: parse error", 4));
    assertEquals(JobStatus.FAILED, s.status());
    assertEquals("a FAILED: tile 4: povray: parse error", s.end());
    // Progress that arrives after the end changes nothing: the first end is the answer.
    s = JobStates.apply(s, new JobEvent.Progress("a", 4000, 7, 8));
    assertEquals(JobStatus.FAILED, s.status());
    assertEquals("3/8 tiles (37%)", JobStates.progress(s));
    assertEquals(1000, s.firstAt());
    assertEquals(4000, s.lastAt());
    assertEquals(4, s.events());
    assertEquals(1, StatusCommand.exitCode(s));
    assertEquals("FAILED", Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(s)).get("status").asText(),
        "jobs --json writes the status by its name");
  }

  @Test
  void aRejectedJobHasNoProgressAndExitsOne() {
    JobStates.JobState s = JobStates.of(List.of(new JobEvent.Rejected("r", 5, "width", "must be 1 to 65536")));
    assertEquals(JobStatus.REJECTED, s.status());
    assertEquals("-", JobStates.progress(s));
    assertNull(s.type());
    assertEquals(1, StatusCommand.exitCode(s));
    assertEquals(0, StatusCommand.exitCode(JobStates.of(List.of(accepted("x", 1, 2)))), "a running job is fine");
  }

  @Test
  void statusesAreRepeatableOrCommaSeparatedInAnyCase() throws Exception {
    assertEquals(Set.of(JobStatus.RUNNING, JobStatus.FAILED, JobStatus.CANCELLED),
        JobStates.parseStatuses(List.of("running,failed", "Cancelled")));
    assertEquals(Set.of(), JobStates.parseStatuses(List.of()));
  }

  @Test
  void theJobsHelpNamesEveryStatus() {
    String help = String.join(" ", JobsCommand.class.getAnnotation(picocli.CommandLine.Command.class).description());
    for (JobStatus status : JobStatus.fromEvents()) {
      assertTrue(help.contains(status.name()), "jobs --help does not name " + status);
    }
  }

  @Test
  void anUnknownStatusNamesTheValidOnes() {
    Main.UsageException e = assertThrows(Main.UsageException.class,
        () -> JobStates.parseStatuses(List.of("running,done")));
    assertEquals("--status: unknown status 'done'; valid: ACCEPTED, RUNNING, COMPLETED, FAILED, REJECTED, CANCELLED, PAUSED, WAITING",
        e.getMessage());
    // SUBMITTED is the HTTP API's, for a job the splitter has not answered: the CLI's jobs all have events.
    assertThrows(Main.UsageException.class, () -> JobStates.parseStatuses(List.of("submitted")));
  }

  @Test
  void selectFiltersAndKeepsTheNewest() {
    Map<String, JobStates.JobState> jobs = new LinkedHashMap<>();
    jobs.put("old", JobStates.of(List.of(accepted("old", 100, 2))));
    jobs.put("mid", JobStates.of(List.of(accepted("mid", 200, 2), new JobEvent.Cancelled("mid", 250, "asked"))));
    jobs.put("new", JobStates.of(List.of(accepted("new", 300, 2), new JobEvent.Progress("new", 310, 1, 2))));
    assertEquals(List.of("new", "mid", "old"), ids(JobStates.select(jobs, Set.of(), 0)));
    assertEquals(List.of("new", "mid"), ids(JobStates.select(jobs, Set.of(), 2)));
    assertEquals(List.of("new", "old"), ids(JobStates.select(jobs, Set.of(JobStatus.RUNNING, JobStatus.ACCEPTED), 0)));
    assertEquals(List.of(), ids(JobStates.select(jobs, Set.of(JobStatus.COMPLETED), 0)));
  }

  @Test
  void theTableLinesUpItsColumns() {
    List<JobStates.JobState> jobs = List.of(
        JobStates.of(List.of(accepted("job-long-id", 0, 12), new JobEvent.Progress("job-long-id", 10, 6, 12))),
        JobStates.of(List.of(new JobEvent.Rejected("r", 0, "width", "too wide"))));
    assertEquals("JOB          STATUS    PRIORITY  PROGRESS          TYPE    SIZE     AGE\n"
        + "job-long-id  RUNNING   -         6/12 tiles (50%)  render  300x200  2m\n"
        + "r            REJECTED  -         -                 -       -        2m\n", JobStates.table(jobs, 150_000));
  }

  /** The events of one job as the topic carries them (JSON), folded. */
  private static JobStates.JobState replay(String... events) throws Exception {
    JobStates.JobState s = null;
    for (String e : events) {
      s = JobStates.apply(s, Json.MAPPER.readValue(e, JobEvent.class));
    }
    return s;
  }

  /**
   * The reviewer's c4-dep: after c4, cancelled with it, retried twice; its third run waits. The table shows that run
   * (WAITING on c4, attempt 3, its priority), not "CANCELLED on c4"; a paused job shows PAUSED and its priority.
   */
  @Test
  void theTableShowsPriorityPauseWaitsAndAttempt() throws Exception {
    String waiting = "{\"status\":\"WAITING\",\"jobId\":\"c4-dep\",\"waitingOn\":[\"c4\"],\"priority\":70";
    JobStates.JobState dep = replay(waiting + ",\"timestamp\":0}",
        "{\"status\":\"CANCELLED\",\"jobId\":\"c4-dep\",\"timestamp\":1,\"reason\":\"c4 was cancelled\"}",
        waiting + ",\"timestamp\":2,\"attempt\":2}",
        "{\"status\":\"CANCELLED\",\"jobId\":\"c4-dep\",\"timestamp\":3,\"reason\":\"c4 was cancelled\","
            + "\"attempt\":2}",
        waiting + ",\"timestamp\":4,\"attempt\":3}");
    assertEquals(JobStatus.WAITING, dep.status());
    assertNull(dep.end(), "the cancelled run's end is history");
    JobStates.JobState paused = replay("{\"status\":\"ACCEPTED\",\"jobId\":\"p\",\"timestamp\":0,"
        + "\"type\":\"render\",\"tiles\":4,\"width\":64,\"height\":64,\"output\":\"s3://tilefarm/outputs/p.png\","
        + "\"priority\":90}", "{\"status\":\"PROGRESS\",\"jobId\":\"p\",\"timestamp\":1,\"done\":1,"
        + "\"total\":4,\"fraction\":0.25}", "{\"status\":\"PAUSED\",\"jobId\":\"p\",\"timestamp\":2}");
    assertEquals("JOB     STATUS                     PRIORITY  PROGRESS         TYPE    SIZE   AGE\n"
        + "c4-dep  WAITING on c4 (attempt 3)  70        -                -       -      1m\n"
        + "p       PAUSED                     90        1/4 tiles (25%)  render  64x64  1m\n",
        JobStates.table(List.of(dep, paused), 60_000));
  }

  /** An end clears a pause and the waits; a retry's run starts unpaused; --json carries all four. */
  @Test
  void endsAndRetriesLeaveNoStalePauseOrWaits() throws Exception {
    String accepted = "{\"status\":\"ACCEPTED\",\"jobId\":\"j\",\"type\":\"render\",\"tiles\":4,\"width\":64,"
        + "\"height\":64,\"output\":\"s3://tilefarm/outputs/j.png\",\"priority\":60";
    JobStates.JobState s = replay(accepted + ",\"timestamp\":0}",
        "{\"status\":\"PAUSED\",\"jobId\":\"j\",\"timestamp\":1}",
        "{\"status\":\"CANCELLED\",\"jobId\":\"j\",\"timestamp\":2,\"reason\":\"asked\"}");
    assertEquals(JobStatus.CANCELLED, s.status());
    assertTrue(!s.paused(), "a cancelled job is not paused");
    s = JobStates.apply(s, Json.MAPPER.readValue(accepted + ",\"timestamp\":3,\"attempt\":2}", JobEvent.class));
    s = JobStates.apply(s, new JobEvent.Progress("j", 4, 2, 4));
    assertEquals(JobStatus.RUNNING, s.status());
    var json = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(s));
    assertEquals(60, json.get("priority").asInt());
    assertEquals(false, json.get("paused").asBoolean());
    assertEquals(2, json.get("attempt").asInt());
    assertEquals(0, json.get("waitingOn").size());
    JobStates.JobState failed = replay("{\"status\":\"WAITING\",\"jobId\":\"d\",\"timestamp\":0,"
        + "\"waitingOn\":[\"c\"]}", "{\"status\":\"FAILED\",\"jobId\":\"d\",\"timestamp\":1,"
        + "\"reason\":\"c failed\"}");
    assertEquals("FAILED", failed.statusLine(), "not 'FAILED on c'");
  }

  @Test
  void agesReadAtAGlance() {
    assertEquals("0s", JobStates.age(-5));
    assertEquals("59s", JobStates.age(59_999));
    assertEquals("1m", JobStates.age(60_000));
    assertEquals("59m", JobStates.age(3_599_000));
    assertEquals("47h", JobStates.age(47 * 3_600_000L));
    assertEquals("2d", JobStates.age(48 * 3_600_000L));
  }

  @Test
  void theLiveLineHasABarWhileTilesAreKnown() {
    JobStates.JobState s = JobStates.of(List.of(accepted("a", 0, 4), new JobEvent.Progress("a", 1, 1, 4)));
    assertEquals("a  RUNNING  [#####...............] 1/4 tiles (25%)", JobStates.liveLine(s));
  }

  @Test
  void onATerminalTheLiveLineIsRewrittenInPlaceElsewhereItIsNewLinesWithoutRepeats() {
    ByteArrayOutputStream tty = new ByteArrayOutputStream();
    StatusCommand.LiveLine live = new StatusCommand.LiveLine(new PrintStream(tty, true, StandardCharsets.UTF_8), true);
    live.show("a  RUNNING  1/4");
    live.show("a  RUNNING  1/4");
    live.show("a  DONE");
    live.end();
    assertEquals("\ra  RUNNING  1/4\ra  DONE        \n", tty.toString(StandardCharsets.UTF_8));

    ByteArrayOutputStream pipe = new ByteArrayOutputStream();
    live = new StatusCommand.LiveLine(new PrintStream(pipe, true, StandardCharsets.UTF_8), false);
    live.show("a  RUNNING  1/4");
    live.show("a  RUNNING  1/4");
    live.show("a  RUNNING  2/4");
    live.end();
    assertEquals("a  RUNNING  1/4\na  RUNNING  2/4\n", pipe.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
  }

  @Test
  void logsAreFoundByTileIndexAndNothingElseCounts() {
    S3Uri folder = S3Uri.parse("s3://tilefarm/logs/job-1/");
    assertEquals(12, LogsCommand.tileOf(folder, S3Uri.parse("s3://tilefarm/logs/job-1/12.log")));
    assertEquals(-1, LogsCommand.tileOf(folder, S3Uri.parse("s3://tilefarm/logs/job-1/x.log")));
    assertEquals(-1, LogsCommand.tileOf(folder, S3Uri.parse("s3://tilefarm/logs/job-1/sub/3.log")));
    assertEquals(-1, LogsCommand.tileOf(folder, S3Uri.parse("s3://other/logs/job-1/3.log")));
  }

  @Test
  void theNewCommandsAreRegisteredWithHelp() {
    for (String name : List.of("jobs", "logs", "status", "get")) {
      assertEquals(0, Main.commandLine().execute(name, "--help"), name);
    }
  }

  private static List<String> ids(List<JobStates.JobState> states) {
    return states.stream().map(JobStates.JobState::id).toList();
  }
}
