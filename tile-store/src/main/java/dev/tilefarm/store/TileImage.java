package dev.tilefarm.store;

/**
 * Pixels of a tile or image: rows top to bottom, pixels left to right, channels interleaved as grey (1), RGB
 * (3) or RGBA (4), each sample {@code bitDepth} bits: 8 (one byte), 16 (two bytes, big-endian, as PNG
 * stores them) or {@value #FLOAT} (an IEEE 754 float, big-endian: linear radiance, unbounded, for EXR outputs).
 * The buffer holds exactly {@code width * height * channels * bitDepth / 8} bytes and is owned by the record:
 * callers do not change it after construction.
 */
public record TileImage(int width, int height, int channels, int bitDepth, byte[] pixels) {
  /** The {@code bitDepth} of float samples. */
  public static final int FLOAT = 32;

  public TileImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size " + width + "x" + height);
    }
    if (channels != 1 && channels != 3 && channels != 4) {
      throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
    }
    if (bitDepth != 8 && bitDepth != 16 && bitDepth != FLOAT) {
      throw new IllegalArgumentException("bitDepth must be 8, 16 or " + FLOAT + " (float), got " + bitDepth);
    }
    long need = (long) width * height * channels * (bitDepth / 8);
    if (pixels.length != need) {
      throw new IllegalArgumentException("pixel buffer is " + pixels.length + " bytes; " + width + "x" + height
          + "x" + channels + " at " + bitDepth + " bits needs " + need);
    }
  }

  /** An 8-bit image, the common case. */
  public TileImage(int width, int height, int channels, byte[] pixels) {
    this(width, height, channels, 8, pixels);
  }

  /** Bytes per row. */
  public int stride() {
    return width * channels * (bitDepth / 8);
  }
}
