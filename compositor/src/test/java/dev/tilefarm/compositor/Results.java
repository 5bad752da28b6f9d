package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.TileKeys;

/**
 * Tile results as a worker builds them: from the task of the tile. The task is the splitter's (or, for a forged
 * result, whatever task its sender makes up), so a result names what its task names.
 */
final class Results {
  private Results() {}

  /** The task of one tile of a single image, its job stored apart. */
  static TileTask task(String jobId, TileRect tile, int tileCount, int width, int height, S3Uri output, S3Uri tileUri,
      long acceptedAt) {
    return new TileTask(jobId, tileCount, width, height, output, tileUri, acceptedAt, null,
        TileKeys.jobSpec("farm", jobId), null, TileTask.Work.Tile.of(tile));
  }

  /** The DONE of {@code task}'s tile, stored as pixels of {@code channels} channels, with no renderer log. */
  static TileResult.Done done(TileTask task, int channels, long bytes, String sha256, long renderMs, String worker) {
    return TileResult.Done.of(task, TileResult.Stored.pixels(channels, bytes, sha256, renderMs, worker, null));
  }
}
