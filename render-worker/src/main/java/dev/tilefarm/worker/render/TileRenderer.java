package dev.tilefarm.worker.render;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.render.path.PathTracer;

/**
 * Renders tiles of render jobs: the one place a job's scene kind picks its renderer. Thread-safe.
 *
 * <p>Every renderer here keys its output on absolute pixel coordinates only, so a tile's bytes are the
 * same whichever tiling, worker or retry produced them.
 */
public final class TileRenderer {
  private final PreparedScenes prepared;

  /** @param preparedJobs how many jobs' prepared scenes to keep between tiles */
  public TileRenderer(int preparedJobs) {
    this.prepared = new PreparedScenes(preparedJobs);
  }

  /** The RGB pixels of {@code tile}; the tile lies inside the {@code imageWidth x imageHeight} image. */
  public TileImage render(JobRequest.Render job, TileRect tile, int imageWidth, int imageHeight)
      throws TileFailedException {
    if (imageWidth != job.width() || imageHeight != job.height()) {
      throw new TileFailedException("job " + job.id() + " renders a " + job.width() + "x" + job.height()
          + " image but its tile task says " + imageWidth + "x" + imageHeight);
    }
    SceneSpec scene = job.scene();
    // Java 17 has no pattern switch; SceneSpec is sealed, so these branches are all there is
    // (RendererCoverageTest fails when schemas adds a kind).
    if (scene instanceof SceneSpec.Mandelbrot m) {
      requireRenderer(job, "mandelbrot");
      return new Mandelbrot(m, job.width(), job.height()).render(tile);
    } else if (scene instanceof SceneSpec.Builtin b) {
      requireRenderer(job, "builtin");
      PathTracer tracer = prepared.get(new PreparedScenes.Key(job.id(), job.width(), job.height(), job.samples(),
          job.seed()), () -> PathTracer.prepare(b, job.width(), job.height(), job.samples(), job.seed()));
      return tracer.render(tile);
    }
    throw new IllegalStateException("no renderer for scene kind " + scene.getClass().getName());
  }

  private static void requireRenderer(JobRequest.Render job, String expected) throws TileFailedException {
    if (!expected.equals(job.renderer())) {
      throw new TileFailedException("job " + job.id() + " names renderer '" + job.renderer() + "' but carries a "
          + expected + " scene");
    }
  }
}
