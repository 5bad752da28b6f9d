package dev.tilefarm.splitter;

/**
 * What the splitter accepts. A job over a limit is rejected naming the field, before any work is done.
 *
 * @param maxPixels largest image (width x height) a job may ask for or bring as input
 * @param maxTiles most tiles one job may be split into
 * @param defaultTileSize tile side used when a job gives none
 */
public record SplitterLimits(long maxPixels, int maxTiles, int defaultTileSize) {
  /** 16384 x 16384, 16,384 tiles, 128-pixel tiles. */
  public static final SplitterLimits DEFAULTS = new SplitterLimits(16_384L * 16_384L, 16_384, 128);

  public SplitterLimits {
    if (maxPixels < 1 || maxTiles < 1 || defaultTileSize < 8) {
      throw new IllegalArgumentException("bad limits: " + maxPixels + " pixels, " + maxTiles + " tiles, tile " + defaultTileSize);
    }
  }
}
