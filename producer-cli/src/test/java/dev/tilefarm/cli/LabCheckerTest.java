package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker's recovery time (from a fault to the next progress of a job that was unfinished then) and its
 * explanation of dead letters by what they hold.
 */
class LabCheckerTest {
  private static final LabWorkload.Kind KIND = new LabWorkload.Kind("k", "{}", LabWorkload.Expect.REFERENCE);

  private static LabChecker.Timed at(long t, JobEvent e) {
    return new LabChecker.Timed(e, t);
  }

  @Test
  void recoveryIsTheWaitForTheNextProgressOfAnUnfinishedJob() {
    var jobs = List.of(new LabChecker.Submitted("a", KIND), new LabChecker.Submitted("b", KIND),
        new LabChecker.Submitted("c", KIND));
    var events = Map.of(
        "a", List.of(at(100, new JobEvent.Progress("a", 100, 1, 9)), at(5_000, new JobEvent.Progress("a", 5000, 2, 9)),
            at(9_000, new JobEvent.Cancelled("a", 9000, "x"))),
        "b", List.of(at(200, new JobEvent.Progress("b", 200, 1, 9)), at(3_500, new JobEvent.Progress("b", 3500, 2, 9)),
            at(20_000, new JobEvent.Cancelled("b", 20000, "x"))),
        // Ended before the fault: it does not count.
        "c", List.of(at(50, new JobEvent.Progress("c", 50, 1, 1)), at(60, new JobEvent.Cancelled("c", 60, "x"))));
    var ends = Map.of("a", 9_000L, "b", 20_000L, "c", 60L);
    assertEquals(2_500L, LabChecker.recovery(1_000, jobs, events, ends));
    // The terminal event is progress too: a's CANCELLED at 9000 comes first after 6000.
    assertEquals(3_000L, LabChecker.recovery(6_000, jobs, events, ends));
    // After a has ended, only b counts.
    assertEquals(10_000L, LabChecker.recovery(10_000, jobs, events, ends));
    assertNull(LabChecker.recovery(30_000, jobs, events, ends), "no job was unfinished");
  }

  private static LabNemesis.Record fault(LabNemesis.Kind kind, long start, long end) {
    return new LabNemesis.Record(kind, "t", start, end, true, "");
  }

  @Test
  void recoveryCountsFromWhenNoOtherFaultIsInForce() {
    // As in seed 7's full run: S3 bodies cut short until 21.1 s, broker-2 cut off from 0.5 s to 45.3 s, S3 down
    // from 27.9 s to 86.6 s (the two lanes overlap); then a kill with nothing else in force.
    var truncated = fault(LabNemesis.Kind.S3_TRUNCATED, 6_100, 21_100);
    var partition = fault(LabNemesis.Kind.PARTITION_BROKER, 500, 45_300);
    var down = fault(LabNemesis.Kind.S3_DOWN, 27_900, 86_600);
    var kill = fault(LabNemesis.Kind.KILL_BROKER, 100_000, 118_000);
    var later = fault(LabNemesis.Kind.S3_500, 105_000, 120_000);
    var all = List.of(truncated, partition, down, kill, later);
    // Lasting faults are in force until healed; the kill until the farm recovered from it, 9 s after it (its
    // broker's restart took 18 s, through which the farm is to go on).
    java.util.function.ToLongFunction<LabNemesis.Record> until = f -> f == kill ? 109_000 : f.end();
    // The truncation healed while broker-2 was cut off, which healed while S3 was down: no job could move
    // before S3 was back.
    assertEquals(86_600, LabChecker.recoveryFrom(truncated, all, until));
    assertEquals(86_600, LabChecker.recoveryFrom(partition, all, until));
    // Nothing else was in force when S3 came back.
    assertEquals(86_600, LabChecker.recoveryFrom(down, all, until));
    // A kill counts from itself; a fault that starts after it does not move it.
    assertEquals(100_000, LabChecker.recoveryFrom(kill, all, until));
    // Healed before the farm recovered from the kill: from that recovery, then from the heal of the 500s still
    // in force then.
    var s503 = fault(LabNemesis.Kind.S3_503, 101_000, 104_000);
    assertEquals(120_000, LabChecker.recoveryFrom(s503, all, until));
    // Healed after the farm recovered from the kill, with the broker still restarting: the kill does not count.
    var s429 = fault(LabNemesis.Kind.S3_429, 101_000, 110_000);
    assertEquals(110_000, LabChecker.recoveryFrom(s429, List.of(kill, s429), until));
    // A fault that healed before the other began is not moved.
    var early = fault(LabNemesis.Kind.S3_429, 22_000, 25_000);
    assertEquals(25_000, LabChecker.recoveryFrom(early, List.of(down, early), until));
  }

  @Test
  void percentilesOfSortedFigures() {
    assertNull(LabChecker.percentile(List.of(), 50));
    assertEquals(3L, LabChecker.percentile(List.of(1L, 2L, 3L, 4L, 5L), 50));
    assertEquals(5L, LabChecker.percentile(List.of(1L, 2L, 3L, 4L, 5L), 99));
    assertEquals(7L, LabChecker.percentile(List.of(7L), 99));
  }

  private static final LabNemesis.Record S3_500 = new LabNemesis.Record(LabNemesis.Kind.S3_500, "s3", 10_000,
      25_000, true, "12 requests 500");
  private static final LabNemesis.Record KILL = new LabNemesis.Record(LabNemesis.Kind.KILL_BROKER, "broker-2",
      40_000, 60_000, true, "exit 137, restarted");

  private static DeadLetter letter(String job, String error, long at) {
    return new DeadLetter("tilefarm.tile-tasks", 3, 17, Base64.getEncoder().encodeToString(
        job.getBytes(StandardCharsets.UTF_8)), null, error, "render-worker", at);
  }

  @Test
  void aDeadLetterIsExplainedByTheFaultItsErrorNamesInForceThen() {
    DeadLetter d = letter("lab-1", "gave up after 5 attempts: writing s3://tilefarm/tiles/lab-1/3.tft: 500 injected "
        + "by the S3 fault proxy", 20_000);
    String why = LabChecker.explain(d, List.of(KILL, S3_500), "lab-1"::equals);
    assertTrue(why != null && why.startsWith("s3-500 of s3"), why);
  }

  @Test
  void aDeadLetterWhoseErrorNamesAnotherFaultIsNotExplainedByTheOneInForce() {
    // A 503 while only 500s were injected: no fault of this lab made it.
    DeadLetter d = letter("lab-1", "writing s3://tilefarm/tiles/lab-1/3.tft: 503 injected by the S3 fault proxy",
        20_000);
    assertNull(LabChecker.explain(d, List.of(S3_500), "lab-1"::equals));
    // A broker's absence is not S3's doing.
    String kafka = "the compositor failed on this record: org.apache.kafka.common.errors.TimeoutException: "
        + "Expiring 1 record(s)";
    assertNull(LabChecker.explain(letter("lab-1", kafka, 20_000), List.of(S3_500), "lab-1"::equals));
    assertTrue(LabChecker.explain(letter("lab-1", kafka, 50_000), List.of(S3_500, KILL), "lab-1"::equals)
        .startsWith("kill-broker of broker-2"));
  }

  @Test
  void aDeadLetterOutsideEveryFaultOrOfAnotherJobIsNotExplained() {
    String error = "writing s3://tilefarm/tiles/lab-1/3.tft: 500 injected by the S3 fault proxy";
    assertNull(LabChecker.explain(letter("lab-1", error, 9_000), List.of(S3_500), "lab-1"::equals), "before it");
    assertNull(LabChecker.explain(letter("lab-1", error, 25_000 + 91_000), List.of(S3_500), "lab-1"::equals),
        "long after its heal");
    assertNull(LabChecker.explain(letter("other", error, 20_000), List.of(S3_500), "lab-1"::equals),
        "not a lab job's record");
  }

  @Test
  void causesAreReadFromTheClientsOwnWords() {
    assertEquals(EnumSet.of(LabNemesis.Kind.S3_429), LabChecker.causes("reading s3://b/k: 429 injected by the S3 "
        + "fault proxy"));
    assertEquals(EnumSet.of(LabNemesis.Kind.S3_CORRUPTED), LabChecker.causes("reading s3://b/k: the 100 bytes "
        + "received have MD5 x, not the object's y (its ETag): changed on the way"));
    assertEquals(EnumSet.of(LabNemesis.Kind.S3_TRUNCATED), LabChecker.causes("reading s3://b/k: the body was cut "
        + "short: Premature EOF"));
    assertEquals(EnumSet.of(LabNemesis.Kind.S3_DOWN), LabChecker.causes("listing s3://b/p: Unable to execute HTTP "
        + "request: Connection refused"));
    assertTrue(LabChecker.causes("writing s3://b/k: Unable to execute HTTP request: Read timed out")
        .containsAll(EnumSet.of(LabNemesis.Kind.S3_SLOW, LabNemesis.Kind.PARTITION_WORKER)));
  }

  @Test
  void theJobOfADeadLetterIsItsKeyOrTheJobItsValueNames() {
    assertEquals("lab-1", LabChecker.jobOf(letter("lab-1", "x", 0)));
    DeadLetter valueOnly = new DeadLetter("t", 0, 0, null, Base64.getEncoder().encodeToString(
        "{\"jobId\": \"lab-2\", \"tile\": 3}".getBytes(StandardCharsets.UTF_8)), "x", "r", 0);
    assertEquals("lab-2", LabChecker.jobOf(valueOnly));
    assertEquals("?", LabChecker.jobOf(new DeadLetter("t", 0, 0, null, null, "x", "r", 0)));
  }
}
