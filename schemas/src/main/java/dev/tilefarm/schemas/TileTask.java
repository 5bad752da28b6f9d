package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One tile of an accepted job, for a render worker. {@code job} is the job request as accepted (with its
 * id filled in), so a worker needs nothing else; {@code tileUri} is where the worker stores the tile.
 */
public record TileTask(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight,
    S3Uri output, S3Uri tileUri, long acceptedAt, ObjectNode job) {
  public TileTask {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tile, "tile");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(tileUri, "tileUri");
    Objects.requireNonNull(job, "job");
    if (tileCount <= tile.index()) {
      throw new IllegalArgumentException("tile " + tile.index() + " of " + tileCount);
    }
  }

  /** "tile 3/12 of job J", for logs and reasons. */
  public String label() {
    return "tile " + tile.index() + "/" + tileCount + " of job " + jobId;
  }
}
