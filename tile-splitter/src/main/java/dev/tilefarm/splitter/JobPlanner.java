package dev.tilefarm.splitter;

import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobChangedException;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileKeys;
import java.util.ArrayList;
import java.util.List;

/** Turns a decoded job into a {@link Plan}, or rejects it with the field and the reason. */
final class JobPlanner {
  private final SplitterLimits limits;
  private final ImageProbe probe;
  private final String bucket;

  /**
   * Which renderers the farm's workers have: why none of the present workers can run {@code renderer}, or
   * null if one can (or no worker has been seen at all, when a job waits for workers like any other).
   */
  @FunctionalInterface
  interface Renderers {
    Renderers ANY = renderer -> null;

    String missing(String renderer);
  }

  private final Renderers renderers;

  JobPlanner(SplitterLimits limits, ImageProbe probe, String bucket) {
    this(limits, probe, bucket, Renderers.ANY);
  }

  JobPlanner(SplitterLimits limits, ImageProbe probe, String bucket, Renderers renderers) {
    this.limits = limits;
    this.probe = probe;
    this.bucket = bucket;
    this.renderers = renderers;
  }

  Plan plan(JobRequest job) {
    // Confinement first: a job must not even make the farm look at storage it may not use.
    if (job.output() != null && !limits.outputAllowed(job.output().bucket(), job.output().key())) {
      throw invalid(job, "output", job.output() + " is outside the locations this farm may write to ("
          + String.join(", ", limits.outputLocations()) + ")");
    }
    String reserved = job.output() == null ? null : OutputOwners.reservedFor(bucket, job.id(), job.output());
    if (reserved != null) {
      throw invalid(job, "output", job.output() + " " + reserved);
    }
    // Every object the job names, not only a process job's input: a scene, an archive or a texture is read too.
    for (java.util.Map.Entry<String, S3Uri> input : JobInputs.of(job).entrySet()) {
      if (!limits.inputAllowed(input.getValue().bucket())) {
        throw invalid(job, input.getKey(), input.getValue() + " is in a bucket this farm may not read (allowed: "
            + String.join(", ", limits.inputBuckets()) + ")");
      }
    }
    int width;
    int height;
    String sizeField;
    String inputEtag = null;
    // Java 17 has no pattern switch; JobRequest is sealed, so these two branches are all there is.
    if (job instanceof JobRequest.Render r) {
      width = r.width();
      height = r.height();
      sizeField = "width";
      String missing = renderers.missing(r.renderer());
      if (missing != null) {
        throw invalid(job, "renderer", missing);
      }
    } else {
      ImageProbe.Size size = probeInput((JobRequest.Process) job);
      inputEtag = size.etag();
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
    ChainPlan chain = null;
    if (job instanceof JobRequest.Process p) {
      chain = chainOf(p, width, height, tile);
      width = chain.outputWidth();
      height = chain.outputHeight();
      if ((long) width * height > limits.maxPixels()) {
        throw invalid(job, "ops", "the ops make a " + width + "x" + height + " = " + (long) width * height
            + " pixel image; this farm takes at most " + limits.maxPixels());
      }
    }
    JobRequest.Frames frames = job instanceof JobRequest.Render r ? r.frames() : null;
    int frameCount = frames == null ? 1 : frames.count();
    long tiles = (long) ceilDiv(width, tile) * ceilDiv(height, tile) * frameCount;
    if (tiles > limits.maxTiles()) {
      throw invalid(job, job.tileSize() > 0 ? "tileSize" : sizeField, "tile size " + tile + " gives " + tiles
          + " tiles" + (frameCount > 1 ? " over " + frameCount + " frames" : "") + "; this farm takes at most "
          + limits.maxTiles() + " per job (use larger tiles" + (frameCount > 1 ? " or fewer frames" : "") + ")");
    }
    S3Uri output = job.output();
    if (output == null) {
      output = frames != null && frames.sequence() ? TileKeys.defaultFrameOutput(bucket, job.id())
          : TileKeys.defaultOutput(bucket, job.id());
    }
    return new Plan(job, width, height, output, tiles(width, height, tile), frames, chain, inputEtag);
  }

  /** The op chain over the input's size; a chain that does not fit the image (a crop outside it) names the op. */
  private static ChainPlan chainOf(JobRequest.Process job, int width, int height, int tile) {
    try {
      return new ChainPlan(job.ops(), width, height, tile);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      int colon = message.indexOf(": ");
      String field = message.startsWith("ops[") && colon > 0 ? message.substring(0, colon) : "ops";
      throw new InvalidJobException(job.id(), field, message.startsWith("ops[") ? message.substring(colon + 2) : message);
    }
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
    } catch (BlobChangedException e) {
      throw invalid(job, "input", job.input() + " was replaced while its header was read; submit the job again");
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
