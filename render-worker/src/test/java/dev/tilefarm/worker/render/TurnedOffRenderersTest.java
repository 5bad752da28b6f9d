package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.worker.TileLimits;
import dev.tilefarm.worker.WorkerRenderers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A renderer turned off on a worker ({@code --renderers}) is unavailable exactly as one not installed, with the
 * reason naming the option: it is not among the renderers the worker advertises and subscribes to, and a tile of it
 * that arrives anyway is refused as routing's fault. The shared lane's renderers stay whatever the choice.
 */
class TurnedOffRenderersTest {
  private static TileRenderer renderer(String renderers) {
    return new TileRenderer(1, Long.MAX_VALUE, uri -> {
      throw new IllegalStateException("no storage in this test: " + uri);
    }, TileLimits.DEFAULTS.withRenderers(WorkerRenderers.parse(renderers)));
  }

  @Test
  void aRendererTurnedOffIsUnavailableSayingSoAndTheOthersAreAsInstalled() {
    TileRenderer installed = new TileRenderer(1);
    TileRenderer povrayOnly = renderer("povray");
    assertEquals(WorkerRenderers.TURNED_OFF, povrayOnly.unavailable("blender"));
    assertEquals(WorkerRenderers.TURNED_OFF, povrayOnly.unavailable("ffmpeg"));
    // What is left is as the machine has it: installed or not, for the same reason.
    assertEquals(installed.unavailable("povray"), povrayOnly.unavailable("povray"));
    List<String> expected = installed.available().stream().filter(id -> !id.equals("blender") && !id.equals("ffmpeg"))
        .toList();
    assertEquals(expected, povrayOnly.available());
  }

  @Test
  void withNoneOnlyTheSharedLanesRenderersAreAvailable() {
    TileRenderer none = renderer("none");
    assertEquals(List.of("mandelbrot", "builtin", "sleep"), none.available());
    for (Renderer r : Renderer.externals()) {
      assertEquals(WorkerRenderers.TURNED_OFF, none.unavailable(r.id()), r.id());
    }
    for (String shared : List.of("mandelbrot", "builtin", "sleep")) {
      assertNull(none.unavailable(shared), shared);
    }
  }

  @Test
  void aTileOfARendererTurnedOffIsRefusedAsRoutingsFaultNotTheJobs() {
    JobRequest.Render job = new JobRequest.Render("pov-off", 64, 64, Renderer.POVRAY,
        new SceneSpec.PovRay(S3Uri.parse("s3://bkt/scene.pov"), null, 0, 1, false, 9, 0, 1), 1, 0, 64, null);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> renderer("blender").render(job, new TileRect(0, 0, 0, 64, 64), 64, 64));
    assertEquals("this worker cannot render povray tiles: " + WorkerRenderers.TURNED_OFF, e.getMessage());
  }
}
