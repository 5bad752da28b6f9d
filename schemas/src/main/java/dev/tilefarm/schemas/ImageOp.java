package dev.tilefarm.schemas;

/**
 * One step of a process job's op chain. The set is closed: {@link Ops} is the one place a JSON
 * {@code "op"} name becomes one of these, and it lists them for help text and error messages.
 */
public sealed interface ImageOp permits ImageOp.Grayscale, ImageOp.GaussianBlur {

  /** The name used in JSON and on the command line. */
  String name();

  /**
   * Pixels of context needed on each side of a tile so that the op's output inside the tile equals its
   * output on the whole image.
   */
  int halo();

  /** Channels of the output for an input of {@code channels} channels (1 grey, 3 RGB, 4 RGBA). */
  int outputChannels(int channels);

  /** Converts colour to luma (OpenCV's BT.601 weights); grey input passes through. */
  record Grayscale() implements ImageOp {
    @Override
    public String name() {
      return "grayscale";
    }

    @Override
    public int halo() {
      return 0;
    }

    @Override
    public int outputChannels(int channels) {
      return 1;
    }
  }

  /** A Gaussian blur with standard deviation {@code sigma} pixels and OpenCV's default border (reflect 101). */
  record GaussianBlur(double sigma) implements ImageOp {
    public static final double MIN_SIGMA = 0.1;
    public static final double MAX_SIGMA = 64;

    public GaussianBlur {
      if (!(sigma >= MIN_SIGMA && sigma <= MAX_SIGMA)) {
        throw new IllegalArgumentException("sigma must be from " + MIN_SIGMA + " to " + MAX_SIGMA + ", got " + sigma);
      }
    }

    /** The odd kernel size OpenCV derives from sigma for 8-bit images: round(6 sigma + 1) | 1. */
    public int kernelSize() {
      return (int) Math.round(sigma * 6 + 1) | 1;
    }

    @Override
    public String name() {
      return "gaussian-blur";
    }

    @Override
    public int halo() {
      return kernelSize() / 2;
    }

    @Override
    public int outputChannels(int channels) {
      return channels;
    }
  }
}
