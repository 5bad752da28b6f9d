package dev.tilefarm.splitter;

import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import java.util.List;

/**
 * How an accepted job is laid out: the size of its output image, where it goes, and the tiles of one image in
 * row-major order. With {@code frames} that are a sequence, every frame has these tiles and {@code output} is the
 * frame pattern; {@code frames} is null for a job without frames. {@code chain} (process jobs) is how the op
 * chain runs over tiles: the output size follows its geometry ops, and with whole-image ops it starts with a
 * statistics pass. {@code inputEtag} (process jobs) is the version of the input whose size was checked, which
 * the workers read; null for render jobs or when the store gives no ETag.
 */
record Layout(JobRequest job, int width, int height, S3Uri output, List<TileRect> tiles, JobRequest.Frames frames,
    ChainPlan chain, String inputEtag) {
  Layout {
    tiles = List.copyOf(tiles);
  }

  /** Tiles over all frames. */
  int tileCount() {
    return tiles.size() * (frames != null && frames.sequence() ? frames.count() : 1);
  }
}
