package dev.tilefarm.store;

/**
 * Pixels of a tile or image: {@code width * height * channels} bytes, rows top to bottom, pixels left to
 * right, channels interleaved as grey (1), RGB (3) or RGBA (4), 8 bits each. The buffer is owned by the
 * record: callers do not change it after construction.
 */
public record TileImage(int width, int height, int channels, byte[] pixels) {
  public TileImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size " + width + "x" + height);
    }
    if (channels != 1 && channels != 3 && channels != 4) {
      throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
    }
    if (pixels.length != (long) width * height * channels) {
      throw new IllegalArgumentException("pixel buffer is " + pixels.length + " bytes; " + width + "x" + height
          + "x" + channels + " needs " + (long) width * height * channels);
    }
  }

  public int stride() {
    return width * channels;
  }
}
