package dev.tilefarm.worker.render.external;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Require;
import dev.tilefarm.schemas.TileRect;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * One tile for an {@link ExternalRenderer}.
 *
 * @param job the job, whose scene kind is the renderer's
 * @param sceneDir the folder the scene's files were unpacked into; the renderer only reads it
 * @param main the scene file to render, inside {@code sceneDir}
 * @param workDir an empty folder of this tile's own: the program's working directory, the only place it may
 *     write
 * @param tile the pixels to render, in the {@code job.width() x job.height()} image
 * @param frame the frame number to render, or null for the scene's own
 * @param frameIndex the frame's position in the job's frames (from 0), for POV-Ray's clock
 * @param deadlineMillis epoch ms after which the program is stopped and the tile fails; 0 when the job has no
 *     time limit ({@code limits.time()} applies)
 * @param limits the CPU time, memory and default wall time of the program
 * @param log where the program's output goes (stdout and stderr, in order)
 * @param progress told the tile's percentage done as the program reports it
 */
public record RenderRequest(JobRequest.Render job, Path sceneDir, Path main, Path workDir, TileRect tile, Integer frame,
    int frameIndex, long deadlineMillis, ProcessLimits limits, TileLog log, IntConsumer progress) {
  public RenderRequest {
    Require.nonNull("limits", limits, "job", job, "sceneDir", sceneDir, "main", main, "workDir", workDir,
        "tile", tile, "log", log, "progress", progress);
  }

  /** "tile 3 of job J", for reasons. */
  public String label() {
    return "tile " + tile.index() + " of job " + job.id() + (frame == null ? "" : " (frame " + frame + ")");
  }
}
