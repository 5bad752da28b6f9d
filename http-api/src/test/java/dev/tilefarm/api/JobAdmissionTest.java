package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.JobLimits;
import org.junit.jupiter.api.Test;

class JobAdmissionTest {
  /** An id this API published is taken before its record comes back to the view through the jobs topic. */
  @Test
  void anIdIsTakenFromWhenItIsClaimedUntilTheViewHasItsJob() {
    FarmView view = new FarmView(10);
    JobAdmission admission = new JobAdmission(JobLimits.DEFAULTS, "farm", view);
    assertNull(admission.claim("a", 1_000));
    FarmView.JobDetail pending = admission.claim("a", 1_001);
    assertEquals(JobStatus.SUBMITTED, pending.job().status());
    assertEquals(1_000L, pending.job().submittedAt());
    admission.release("a"); // its publication failed
    assertNull(admission.claim("a", 1_002), "a released id is free again");

    view.onEvent(new JobEvent.Accepted("b", 5, "render", 1, 8, 8, S3Uri.parse("s3://farm/outputs/b.png")));
    assertEquals(JobStatus.ACCEPTED, admission.claim("b", 1_003).job().status(), "the view's job, as it is now");
    // Long after, a claimed id whose job never reached the view (a lost record) is let go.
    assertNull(admission.claim("c", 2_000));
    assertNull(admission.claim("c", 2_001 + JobAdmission.PENDING_MS));
  }
}
