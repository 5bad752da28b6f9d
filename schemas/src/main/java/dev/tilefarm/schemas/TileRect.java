package dev.tilefarm.schemas;

/** Tile number {@code index} of a job: the pixels [x, x+width) x [y, y+height) of the output image. */
public record TileRect(int index, int x, int y, int width, int height) {
  public TileRect {
    if (index < 0 || x < 0 || y < 0 || width <= 0 || height <= 0) {
      throw new IllegalArgumentException("bad tile " + index + " at " + x + "," + y + " size " + width + "x" + height);
    }
  }
}
