package dev.tilefarm.store;

import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import java.util.List;
import java.util.Map;

/**
 * What the farm accepts, and the checks of a job against it. A job over a limit, or reaching outside the storage
 * it may use, is rejected naming the field, before any work is done. The splitter runs every check; the HTTP API
 * runs the same ones at submission (all but the size of an input it has not seen), so a client hears a 400 there
 * rather than a REJECTED event later.
 *
 * @param maxPixels largest image (width x height) a job may ask for or bring as input
 * @param maxTiles most tiles one job may be split into
 * @param defaultTileSize tile side used when a job gives none
 * @param outputLocations where a job may write its output: entries {@code bucket} (anywhere in it) or
 *     {@code bucket/prefix} (keys starting with the prefix). Empty: anywhere. The default output (in the
 *     farm's bucket, under {@code outputs/}) is always allowed.
 * @param inputBuckets the buckets a job may read its input, scene and assets from. Empty: any.
 */
public record JobLimits(long maxPixels, int maxTiles, int defaultTileSize, List<String> outputLocations,
    List<String> inputBuckets) {
  /** 16384 x 16384, 16,384 tiles, 128-pixel tiles, any bucket. */
  public static final JobLimits DEFAULTS = new JobLimits(16_384L * 16_384L, 16_384, 128);

  public JobLimits {
    if (maxPixels < 1 || maxTiles < 1 || defaultTileSize < 8) {
      throw new IllegalArgumentException("bad limits: " + maxPixels + " pixels, " + maxTiles + " tiles, tile "
          + defaultTileSize);
    }
    outputLocations = List.copyOf(outputLocations);
    inputBuckets = List.copyOf(inputBuckets);
    for (String location : outputLocations) {
      if (location.isEmpty() || location.startsWith("/") || location.contains("..")) {
        throw new IllegalArgumentException("output location '" + location + "' must be bucket or bucket/prefix");
      }
    }
  }

  /** Limits on size only, with no storage confinement. */
  public JobLimits(long maxPixels, int maxTiles, int defaultTileSize) {
    this(maxPixels, maxTiles, defaultTileSize, List.of(), List.of());
  }

  /** The same limits, confined to these storage locations. */
  public JobLimits confinedTo(List<String> outputLocations, List<String> inputBuckets) {
    return new JobLimits(maxPixels, maxTiles, defaultTileSize, outputLocations, inputBuckets);
  }

  /** The same limits with another pixel limit. */
  public JobLimits withMaxPixels(long maxPixels) {
    return new JobLimits(maxPixels, maxTiles, defaultTileSize, outputLocations, inputBuckets);
  }

  public boolean outputAllowed(String bucket, String key) {
    return inLocations(outputLocations, bucket, key);
  }

  /**
   * Whether {@code bucket}/{@code key} is in one of {@code locations} ({@code bucket} or {@code bucket/prefix}),
   * or there are none.
   */
  static boolean inLocations(List<String> locations, String bucket, String key) {
    if (locations.isEmpty()) {
      return true;
    }
    for (String location : locations) {
      int slash = location.indexOf('/');
      String b = slash < 0 ? location : location.substring(0, slash);
      String prefix = slash < 0 ? "" : location.substring(slash + 1);
      if (b.equals(bucket) && key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  public boolean inputAllowed(String bucket) {
    return inputBuckets.isEmpty() || inputBuckets.contains(bucket);
  }

  /**
   * Where the job writes and what it reads: its output within {@link #outputLocations} and not reserved for
   * another job or the farm's working folders of {@code farmBucket}, every object it names in
   * {@link #inputBuckets}. Confinement comes first: a job must not even make the farm look at storage it may
   * not use.
   *
   * @throws InvalidJobException naming the field ({@code output}, {@code input}, {@code scene.file}, ...)
   */
  public void checkStorage(String farmBucket, JobRequest job) {
    if (job.output() != null && !outputAllowed(job.output().bucket(), job.output().key())) {
      throw invalid(job, "output", job.output() + " is outside the locations this farm may write to ("
          + String.join(", ", outputLocations) + ")");
    }
    String reserved = job.output() == null ? null : OutputOwners.reservedFor(farmBucket, job.id(), job.output());
    if (reserved != null) {
      throw invalid(job, "output", job.output() + " " + reserved);
    }
    for (Map.Entry<String, S3Uri> input : JobInputs.of(job).entrySet()) {
      if (!inputAllowed(input.getValue().bucket())) {
        throw invalid(job, input.getKey(), input.getValue() + " is in a bucket this farm may not read (allowed: "
            + String.join(", ", inputBuckets) + ")");
      }
    }
  }

  /**
   * A job's image and tiles, once its size is known.
   *
   * @param width the output image's width (after a process job's geometry ops)
   * @param height its height
   * @param tileSize the tile side it is split with
   * @param chain how a process job's op chain runs over tiles; null for a render job
   * @param tiles tiles over all frames
   */
  public record Sized(int width, int height, int tileSize, ChainPlan chain, long tiles) {}

  /**
   * The job's size against the limits: its image (a render job's {@code width x height}, a process job's input)
   * within {@link #maxPixels}, a process job's op chain fitting that image and its output within the limit too,
   * and its tiles over all frames within {@link #maxTiles}.
   *
   * @param width a render job's width, or a process job's input width
   * @param height likewise
   * @param sizeField the field a size refusal names: {@code width} for a render job, whatever brought the input
   *     for a process job
   * @throws InvalidJobException naming the field ({@code width}, {@code tileSize}, {@code ops[2].x}, ...)
   */
  public Sized checkSize(JobRequest job, int width, int height, String sizeField) {
    long pixels = (long) width * height;
    if (pixels > maxPixels) {
      throw invalid(job, sizeField, "the image is " + width + "x" + height + " = " + pixels
          + " pixels; this farm takes at most " + maxPixels);
    }
    int tile = job.tileSize() > 0 ? job.tileSize() : defaultTileSize;
    ChainPlan chain = null;
    if (job instanceof JobRequest.Process p) {
      chain = chainOf(p, width, height, tile);
      width = chain.outputWidth();
      height = chain.outputHeight();
      if ((long) width * height > maxPixels) {
        throw invalid(job, "ops", "the ops make a " + width + "x" + height + " = " + (long) width * height
            + " pixel image; this farm takes at most " + maxPixels);
      }
    }
    JobRequest.Frames frames = job instanceof JobRequest.Render r ? r.frames() : null;
    int frameCount = frames == null ? 1 : frames.count();
    long tiles = (long) ceilDiv(width, tile) * ceilDiv(height, tile) * frameCount;
    if (tiles > maxTiles) {
      throw invalid(job, job.tileSize() > 0 ? "tileSize" : sizeField, "tile size " + tile + " gives " + tiles
          + " tiles" + (frameCount > 1 ? " over " + frameCount + " frames" : "") + "; this farm takes at most "
          + maxTiles + " per job (use larger tiles" + (frameCount > 1 ? " or fewer frames" : "") + ")");
    }
    return new Sized(width, height, tile, chain, tiles);
  }

  /** The op chain over the input's size; a chain that does not fit the image (a crop outside it) names the op. */
  private static ChainPlan chainOf(JobRequest.Process job, int width, int height, int tile) {
    try {
      return new ChainPlan(job.ops(), width, height, tile);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      int colon = message.indexOf(": ");
      String field = message.startsWith("ops[") && colon > 0 ? message.substring(0, colon) : "ops";
      throw new InvalidJobException(job.id(), field,
          message.startsWith("ops[") ? message.substring(colon + 2) : message);
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static InvalidJobException invalid(JobRequest job, String field, String reason) {
    return new InvalidJobException(job.id(), field, reason);
  }
}
