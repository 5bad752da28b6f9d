package dev.tilefarm.worker.render.povray;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PovRayClockTest {
  private static List<String> args(JobRequest.Frames frames, int[] range, boolean cyclic, int index) {
    SceneSpec.PovRay scene = new SceneSpec.PovRay(S3Uri.parse("s3://bkt/s.pov"), null, 0, 1, false, 9, 0, 1, range,
        cyclic, Map.of());
    return PovRay.clockArgs(new JobRequest.Render("j", 8, 8, Renderer.POVRAY,
        scene, 1, 0, 8, null, frames), scene, index);
  }

  @Test
  void anAnimationFrameIsRenderedWithPovRaysOwnAnimationOptions() {
    assertEquals(List.of("+KFI1", "+KFF5", "+KI0.00000000", "+KF1.00000000", "+SF3", "+EF3"),
        args(new JobRequest.Frames(1, 5, 1, true), null, false, 2));
    assertEquals(List.of("+KFI0", "+KFF30", "+KI0.00000000", "+KF1.00000000", "+SF14", "+EF14", "+KC"),
        args(new JobRequest.Frames(10, 20, 2, true), new int[] {0, 30}, true, 2));
  }

  @Test
  void aStillOrAFramePovRayCannotNumberGetsItsClockAlone() {
    assertEquals(List.of("+K0.00000000"), args(null, null, false, 0));
    assertEquals(List.of("+K0.00000000"), args(new JobRequest.Frames(7, 7, 1, false), null, false, 0));
    // POV-Ray has no negative frame numbers: the same formula, computed here (frame -2 of -4..4: clock 0.25).
    assertEquals(List.of("+K0.250000000"), args(new JobRequest.Frames(-4, 4, 1, true), null, false, 2));
  }
}
