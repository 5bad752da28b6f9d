package dev.tilefarm.splitter;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import java.util.List;

/** An accepted job: the size of its output image, where it goes, and its tiles in row-major order. */
record Plan(JobRequest job, int width, int height, S3Uri output, List<TileRect> tiles) {
  Plan {
    tiles = List.copyOf(tiles);
  }
}
