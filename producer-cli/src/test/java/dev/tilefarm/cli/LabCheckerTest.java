package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tilefarm.schemas.JobEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checker's recovery time: from a fault to the next progress of a job that was unfinished then. */
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

  @Test
  void percentilesOfSortedFigures() {
    assertNull(LabChecker.percentile(List.of(), 50));
    assertEquals(3L, LabChecker.percentile(List.of(1L, 2L, 3L, 4L, 5L), 50));
    assertEquals(5L, LabChecker.percentile(List.of(1L, 2L, 3L, 4L, 5L), 99));
    assertEquals(7L, LabChecker.percentile(List.of(7L), 99));
  }
}
