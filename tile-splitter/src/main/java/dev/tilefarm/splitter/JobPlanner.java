package dev.tilefarm.splitter;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileKeys;
import java.util.ArrayList;
import java.util.List;

/** Turns a decoded job into a {@link Plan}, or rejects it with the field and the reason. */
final class JobPlanner {
  private final SplitterLimits limits;
  private final ImageProbe probe;
  private final String bucket;

  JobPlanner(SplitterLimits limits, ImageProbe probe, String bucket) {
    this.limits = limits;
    this.probe = probe;
    this.bucket = bucket;
  }

  Plan plan(JobRequest job) {
    // Confinement first: a job must not even make the farm look at storage it may not use.
    if (job.output() != null && !limits.outputAllowed(job.output().bucket(), job.output().key())) {
      throw invalid(job, "output", job.output() + " is outside the locations this farm may write to ("
          + String.join(", ", limits.outputLocations()) + ")");
    }
    if (job instanceof JobRequest.Process p && !limits.inputAllowed(p.input().bucket())) {
      throw invalid(job, "input", p.input() + " is in a bucket this farm may not read (allowed: "
          + String.join(", ", limits.inputBuckets()) + ")");
    }
    int width;
    int height;
    String sizeField;
    // Java 17 has no pattern switch; JobRequest is sealed, so these two branches are all there is.
    if (job instanceof JobRequest.Render r) {
      width = r.width();
      height = r.height();
      sizeField = "width";
    } else {
      ImageProbe.Size size = probeInput((JobRequest.Process) job);
      width = size.width();
      height = size.height();
      sizeField = "input";
    }
    long pixels = (long) width * height;
    if (pixels > limits.maxPixels()) {
      throw invalid(job, sizeField, "the image is " + width + "x" + height + " = " + pixels
          + " pixels; this farm takes at most " + limits.maxPixels());
    }
    int tile = job.tileSize() > 0 ? job.tileSize() : limits.defaultTileSize();
    long tiles = (long) ceilDiv(width, tile) * ceilDiv(height, tile);
    if (tiles > limits.maxTiles()) {
      throw invalid(job, job.tileSize() > 0 ? "tileSize" : sizeField, "tile size " + tile + " gives " + tiles
          + " tiles; this farm takes at most " + limits.maxTiles() + " per job (use larger tiles)");
    }
    S3Uri output = job.output() != null ? job.output() : TileKeys.defaultOutput(bucket, job.id());
    return new Plan(job, width, height, output, tiles(width, height, tile));
  }

  private ImageProbe.Size probeInput(JobRequest.Process job) {
    try {
      ImageProbe.Size size = probe.probe(job.input());
      if (size.width() < 1 || size.height() < 1) {
        throw invalid(job, "input", job.input() + " has no pixels (" + size.width() + "x" + size.height() + ")");
      }
      return size;
    } catch (BlobNotFoundException e) {
      throw invalid(job, "input", job.input() + " does not exist");
    } catch (ImageProbe.NotAnImageException e) {
      throw invalid(job, "input", job.input() + " " + e.getMessage());
    }
  }

  /** Row-major tiles of side {@code tile}; the last column and row are narrower where the size does not divide. */
  static List<TileRect> tiles(int width, int height, int tile) {
    List<TileRect> out = new ArrayList<>(ceilDiv(width, tile) * ceilDiv(height, tile));
    for (int y = 0; y < height; y += tile) {
      for (int x = 0; x < width; x += tile) {
        out.add(new TileRect(out.size(), x, y, Math.min(tile, width - x), Math.min(tile, height - y)));
      }
    }
    return out;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static InvalidJobException invalid(JobRequest job, String field, String reason) {
    return new InvalidJobException(job.id(), field, reason);
  }
}
