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

  /** A video job ({@code "type": "video"}) is checked as the splitter will: where it writes and what it reads. */
  @Test
  void aVideoJobIsCheckedForItsOutputAndInput() throws Exception {
    JobAdmission admission = new JobAdmission(JobLimits.DEFAULTS.confinedTo(java.util.List.of(),
        java.util.List.of("farm")), "farm", new FarmView(10));
    dev.tilefarm.schemas.JobRequest ok = decode("{'id':'v','type':'video','input':'job:shot','video':{}}");
    admission.check(ok, 0);
    assertEquals("ffmpeg", FarmView.kindOf(ok));
    admission.check(decode("{'id':'v','type':'video','input':'job:shot','video':{},'output':'s3://farm/outputs/v.mp4'}"),
        0);
    assertEquals("output", org.junit.jupiter.api.Assertions.assertThrows(
        dev.tilefarm.schemas.InvalidJobException.class, () -> admission.check(decode("{'id':'v','type':'video',"
            + "'input':'job:shot','video':{},'output':'s3://farm/outputs/shot/frame.mp4'}"), 0)).field(),
        "the animation's folder is the animation's");
    assertEquals("input", org.junit.jupiter.api.Assertions.assertThrows(
        dev.tilefarm.schemas.InvalidJobException.class, () -> admission.check(decode("{'id':'v','type':'video',"
            + "'input':'s3://elsewhere/f-##.png','frames':{'start':1,'end':2},'video':{}}"), 0)).field());
  }

  private static dev.tilefarm.schemas.JobRequest decode(String json) throws Exception {
    return dev.tilefarm.schemas.JobCodec.decode(dev.tilefarm.schemas.Json.MAPPER.readTree(json.replace('\'', '"')),
        "x");
  }
}
