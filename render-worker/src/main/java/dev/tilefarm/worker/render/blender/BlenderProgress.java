package dev.tilefarm.worker.render.blender;

import dev.tilefarm.worker.render.external.RenderProgress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tile's percentage done, read from Blender's output line by line; it only ever rises.
 *
 * <p>Cycles (Blender 3.4) ends each status line with {@code Sample S/N}; when it renders the region in several
 * tiles of its own (a region larger than the scene's {@code tile_size}, 2048 by default) with
 * {@code Rendered K/T Tiles, Sample S/N}, where K counts the finished tiles and S is the sample of the tile in
 * hand. Right after a tile finishes, the line that raises K still repeats that tile's {@code Sample N/N} (and the
 * last line may read {@code Sample 0/N}), so a full sample count counts the tile in hand as finished only while K
 * has not moved (captured: "Rendered 0/6 Tiles, Sample 1024/1024", "Rendered 1/6 Tiles, Sample 1024/1024",
 * "Rendered 1/6 Tiles, Sample 1/1024").
 *
 * <p>Cycles in background mode ({@code -b}) prints a new sample count only every 30 s or so (it renders in batches
 * sized to keep the CPU busy: captured, 4096 samples in one tile print samples 0, 1, 2049 after 29 s, and 4096),
 * so a Blender tile's progress moves in steps that far apart.
 */
final class BlenderProgress extends RenderProgress {
  /** At most 18 digits, which a long holds: whatever a line says, reading it must not throw. */
  private static final Pattern STATUS =
      Pattern.compile("(?:Rendered (\\d{1,18})/(\\d{1,18}) Tiles, )?Sample (\\d{1,18})/(\\d{1,18})");

  private long lastTiles = -1;

  BlenderProgress() {
    super(STATUS);
  }

  @Override
  protected double done(Matcher m) {
    long sample = Long.parseLong(m.group(3));
    long samples = Math.max(1, Long.parseLong(m.group(4)));
    double inTile = Math.min(1, (double) sample / samples);
    double value;
    if (m.group(1) == null) {
      value = inTile;
    } else {
      long finished = Long.parseLong(m.group(1));
      long tiles = Math.max(1, Long.parseLong(m.group(2)));
      if (inTile >= 1 && finished != lastTiles) {
        inTile = 0; // the finished tile's count, repeated on the line that counts it
      }
      lastTiles = finished;
      value = Math.min(1, (finished + inTile) / tiles);
    }
    return value;
  }
}
