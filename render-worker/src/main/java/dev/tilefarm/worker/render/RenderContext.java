package dev.tilefarm.worker.render;

import dev.tilefarm.worker.render.external.TileLog;
import java.util.function.IntConsumer;

/**
 * What a tile's render needs besides the job and the rectangle, for renderers that run a program: the frame,
 * when its time is up, and where the program's log and progress go.
 *
 * @param frame the frame number, or null for the scene's own
 * @param frameIndex the frame's position in the job's frames (from 0)
 * @param deadlineMillis epoch ms when the tile must be stopped, 0 for no limit
 * @param log where the program's output goes
 * @param progress told the tile's percentage done (1 to 100) each time the program's output raises it, so the
 *     values only rise; only the external renderers (povray, blender) report any. It is called on the thread
 *     that reads the program's output, so it must return quickly: a blocked reader stalls the program.
 */
public record RenderContext(Integer frame, int frameIndex, long deadlineMillis, TileLog log, IntConsumer progress) {
  /** No frame, no time limit, log and progress dropped. */
  public static RenderContext none() {
    return new RenderContext(null, 0, 0, new TileLog(), p -> { });
  }
}
