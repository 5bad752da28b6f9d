package dev.tilefarm.splitter;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobChangedException;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.JobLimits;
import dev.tilefarm.store.TileKeys;
import java.util.ArrayList;
import java.util.List;

/** Turns a decoded job into a {@link Plan}, or rejects it with the field and the reason. */
final class JobPlanner {
  private final JobLimits limits;
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

  JobPlanner(JobLimits limits, ImageProbe probe, String bucket) {
    this(limits, probe, bucket, Renderers.ANY);
  }

  JobPlanner(JobLimits limits, ImageProbe probe, String bucket, Renderers renderers) {
    this.limits = limits;
    this.probe = probe;
    this.bucket = bucket;
    this.renderers = renderers;
  }

  Plan plan(JobRequest job) {
    limits.checkStorage(bucket, job);
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
    JobLimits.Sized sized = limits.checkSize(job, width, height, sizeField);
    JobRequest.Frames frames = job instanceof JobRequest.Render r ? r.frames() : null;
    S3Uri output = job.output();
    if (output == null) {
      output = frames != null && frames.sequence() ? TileKeys.defaultFrameOutput(bucket, job.id())
          : TileKeys.defaultOutput(bucket, job.id());
    }
    return new Plan(job, sized.width(), sized.height(), output, tiles(sized.width(), sized.height(), sized.tileSize()),
        frames, sized.chain(), inputEtag);
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
