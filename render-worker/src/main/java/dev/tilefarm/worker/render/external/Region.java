package dev.tilefarm.worker.render.external;

import dev.tilefarm.schemas.TileRect;

/**
 * The pixels a program renders for a tile, {@code [x0, x1) x [y0, y1)} of the image: the tile grown by an overscan
 * margin on every side and rounded out to the program's block grid, within the image. The tile is then cropped
 * out of what the program made ({@link Crop}).
 */
public record Region(int x0, int y0, int x1, int y1) {
  /** The region for {@code r}'s tile, with {@code margin} pixels around it, on a grid of {@code grid} pixels. */
  public static Region around(RenderRequest r, int margin, int grid) {
    TileRect t = r.tile();
    return new Region(Math.max(0, Math.floorDiv(t.x() - margin, grid) * grid),
        Math.max(0, Math.floorDiv(t.y() - margin, grid) * grid),
        Math.min(r.job().width(), Math.floorDiv(t.x() + t.width() + margin + grid - 1, grid) * grid),
        Math.min(r.job().height(), Math.floorDiv(t.y() + t.height() + margin + grid - 1, grid) * grid));
  }
}
