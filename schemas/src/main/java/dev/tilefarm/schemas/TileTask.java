package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One tile of an accepted job, for a render worker. The job request as accepted (with its id filled in)
 * travels either inline in {@code job} (small jobs) or as an object at {@code jobUri} that workers fetch
 * once per job (large scenes), never both. {@code tileUri} is where the worker stores the tile.
 * {@code deadline} (epoch ms, absent when the job has no time limit) is when the job's time is up: a worker
 * skips a tile it receives later, since the compositor fails the job at that moment anyway.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TileTask(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight,
    S3Uri output, S3Uri tileUri, long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline) {
  public TileTask {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tile, "tile");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(tileUri, "tileUri");
    if ((job == null) == (jobUri == null)) {
      throw new IllegalArgumentException("a tile task carries exactly one of job and jobUri");
    }
    if (tileCount <= tile.index()) {
      throw new IllegalArgumentException("tile " + tile.index() + " of " + tileCount);
    }
  }

  /** "tile 3/12 of job J", for logs and reasons. */
  public String label() {
    return "tile " + tile.index() + "/" + tileCount + " of job " + jobId;
  }
}
