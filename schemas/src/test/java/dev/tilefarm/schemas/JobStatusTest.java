package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Job statuses: the event that moves a job to each, which are ends, and their names on the wire. */
class JobStatusTest {
  private static final S3Uri OUT = S3Uri.parse("s3://bucket/outputs/j.png");

  @Test
  void eachEventMovesTheJobToTheStatusOfItsName() {
    List<JobEvent> events = List.of(
        new JobEvent.Accepted("j", 1, "render", 4, 8, 8, OUT),
        new JobEvent.Failed("j", 2, "tile 1: no", 1),
        new JobEvent.Rejected("j", 3, "width", "must be 1 to 65536"),
        new JobEvent.Cancelled("j", 4, "asked"),
        new JobEvent.Paused("j", 5));
    for (JobEvent e : events) {
      String wire = Json.MAPPER.valueToTree(e).get("status").asText();
      assertEquals(wire, JobStatus.after(e).name(), "the status is the event's own name: " + wire);
      assertEquals(e.terminal(), JobStatus.after(e).ended(), wire);
    }
    assertEquals(JobStatus.RUNNING, JobStatus.after(new JobEvent.Progress("j", 5, 1, 4)));
    assertEquals(JobStatus.RUNNING, JobStatus.after(JobStatus.PAUSED, new JobEvent.Resumed("j", 6, 1000)));
    assertEquals(JobStatus.PAUSED, JobStatus.after(JobStatus.PAUSED, new JobEvent.Prioritized("j", 7, 90)),
        "a priority change leaves the status alone");
  }

  @Test
  void submittedIsTheApisOnlyAndNamesAreReadInAnyCase() {
    assertFalse(JobStatus.fromEvents().contains(JobStatus.SUBMITTED));
    assertEquals(JobStatus.values().length - 1, JobStatus.fromEvents().size());
    assertFalse(JobStatus.SUBMITTED.ended());
    assertTrue(JobStatus.CANCELLED.ended());
    assertEquals(Optional.of(JobStatus.RUNNING), JobStatus.find(" running "));
    assertEquals(Optional.empty(), JobStatus.find("done"));
    assertEquals("\"COMPLETED\"", Json.MAPPER.valueToTree(JobStatus.COMPLETED).toString(), "wire value");
  }
}
