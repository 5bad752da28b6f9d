package dev.tilefarm.splitter;

import java.util.List;

/**
 * What the splitter accepts. A job over a limit, or reaching outside the storage it may use, is rejected
 * naming the field, before any work is done.
 *
 * @param maxPixels largest image (width x height) a job may ask for or bring as input
 * @param maxTiles most tiles one job may be split into
 * @param defaultTileSize tile side used when a job gives none
 * @param outputLocations where a job may write its output: entries {@code bucket} (anywhere in it) or
 *     {@code bucket/prefix} (keys starting with the prefix). Empty: anywhere. The default output (in the
 *     farm's bucket, under {@code outputs/}) is always allowed.
 * @param inputBuckets the buckets a process job may read its input from. Empty: any.
 */
public record SplitterLimits(long maxPixels, int maxTiles, int defaultTileSize, List<String> outputLocations,
    List<String> inputBuckets) {
  /** 16384 x 16384, 16,384 tiles, 128-pixel tiles, any bucket. */
  public static final SplitterLimits DEFAULTS = new SplitterLimits(16_384L * 16_384L, 16_384, 128);

  public SplitterLimits {
    if (maxPixels < 1 || maxTiles < 1 || defaultTileSize < 8) {
      throw new IllegalArgumentException("bad limits: " + maxPixels + " pixels, " + maxTiles + " tiles, tile " + defaultTileSize);
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
  public SplitterLimits(long maxPixels, int maxTiles, int defaultTileSize) {
    this(maxPixels, maxTiles, defaultTileSize, List.of(), List.of());
  }

  /** The same limits, confined to these storage locations. */
  public SplitterLimits confinedTo(List<String> outputLocations, List<String> inputBuckets) {
    return new SplitterLimits(maxPixels, maxTiles, defaultTileSize, outputLocations, inputBuckets);
  }

  boolean outputAllowed(String bucket, String key) {
    if (outputLocations.isEmpty()) {
      return true;
    }
    for (String location : outputLocations) {
      int slash = location.indexOf('/');
      String b = slash < 0 ? location : location.substring(0, slash);
      String prefix = slash < 0 ? "" : location.substring(slash + 1);
      if (b.equals(bucket) && key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  boolean inputAllowed(String bucket) {
    return inputBuckets.isEmpty() || inputBuckets.contains(bucket);
  }
}
