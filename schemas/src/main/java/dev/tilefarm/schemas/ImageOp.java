package dev.tilefarm.schemas;

import java.util.List;
import java.util.Locale;

/**
 * One step of a process job's op chain. The set is closed: {@link Ops} is the one place a JSON
 * {@code "op"} name becomes one of these, and it lists them for help text and error messages.
 *
 * <p>Four kinds, told apart by the sub-interfaces: {@link Local} ops (a pixel depends on a neighbourhood of
 * {@link #halo()} pixels), {@link Geometry} ops (the output has another size and pixels move),
 * {@link WholeImage} ops (a pixel depends on statistics of the whole image: they run as two passes over the
 * tiles, see {@code ChainPlan}), and {@link Analysis} ops (the pixels pass through unchanged; each tile adds
 * a partial result to the job's report).
 */
public sealed interface ImageOp permits ImageOp.Local, ImageOp.Geometry, ImageOp.WholeImage, ImageOp.Analysis {
  /**
   * The name used in JSON and on the command line: the record's name in kebab case ({@code GaussianBlur} is
   * {@code gaussian-blur}). {@link Ops} registers each op under this name ({@code OpsTest} checks the two agree).
   */
  default String name() {
    return Ops.nameOf(getClass());
  }

  /**
   * Pixels of context needed on each side of a tile so that the op's output inside the tile equals its
   * output on the whole image.
   */
  int halo();

  /**
   * Channels of the output for an input of {@code channels} channels (1 grey, 3 RGB, 4 RGBA): as the input,
   * unless the op says otherwise.
   */
  default int outputChannels(int channels) {
    return channels;
  }

  /** Ops whose output pixel depends on the input's pixels within {@link #halo()} of it; the size stays. */
  sealed interface Local extends ImageOp permits PointOp, OddKernel, GaussianBlur, Bilateral, Sharpen, Unsharp,
      Sobel, Scharr, Laplacian, Morphology {}

  /** Local ops whose output pixel depends on the input pixel alone. */
  sealed interface PointOp extends Local permits Grayscale, ConvertColor, BrightnessContrast, Gamma, Invert,
      Threshold, ColorMap {
    @Override
    default int halo() {
      return 0;
    }
  }

  /** Local ops over an odd {@code size x size} neighbourhood centred on the pixel. */
  sealed interface OddKernel extends Local permits BoxBlur, MedianBlur, AdaptiveThreshold {
    /** The odd side of the neighbourhood. */
    int size();

    @Override
    default int halo() {
      return size() / 2;
    }
  }

  /** Ops that move pixels: the output is {@link #outputWidth} x {@link #outputHeight}. */
  sealed interface Geometry extends ImageOp permits Resize, Flip, Rotate, Crop {
    int outputWidth(int width, int height);

    int outputHeight(int width, int height);

    @Override
    default int halo() {
      return 0;
    }
  }

  /**
   * Ops whose every pixel depends on the whole image, run as two passes: each tile's statistics are
   * gathered, merged, and the merged statistics applied tile by tile. {@link #halo()} is the context the
   * apply pass needs on top of that: none, unless the op says otherwise.
   */
  sealed interface WholeImage extends ImageOp permits EqualizeHist, OtsuThreshold, Normalize, Clahe, Canny {
    @Override
    default int halo() {
      return 0;
    }
  }

  /** Ops that leave the pixels as they are and contribute to the job's JSON report. */
  sealed interface Analysis extends ImageOp permits Histogram, DominantColors, DetectFaces {
    @Override
    default int halo() {
      return 0;
    }
  }

  /**
   * A value of a choice parameter (a shape, a colour space, ...), in JSON its {@link #label()}: the constant's name
   * in lower case, with '-' for '_' ({@code BINARY_INV} is {@code binary-inv}).
   */
  interface Labelled {
    String name();

    default String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void checkOdd(String name, int value, int min, int max) {
    check(value >= min && value <= max && value % 2 == 1,
        name + " must be an odd integer from " + min + " to " + max + ", got " + value);
  }

  // ---------------------------------------------------------------- neighbourhood filters

  /** Converts colour to luma (OpenCV's BT.601 weights); grey input passes through. */
  record Grayscale() implements PointOp {
    @Override
    public int outputChannels(int channels) {
      return 1;
    }
  }

  /** A Gaussian blur with standard deviation {@code sigma} pixels and OpenCV's default border (reflect 101). */
  record GaussianBlur(double sigma) implements Local {
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
    public int halo() {
      return kernelSize() / 2;
    }
  }

  /** The normalized box filter ({@code cv::blur}) of an odd {@code size}, border reflect 101. */
  record BoxBlur(int size) implements OddKernel {
    public static final int MAX_SIZE = 255;

    public BoxBlur {
      checkOdd("size", size, 3, MAX_SIZE);
    }
  }

  /** {@code cv::medianBlur} of an odd aperture {@code size} (its border is replicate). */
  record MedianBlur(int size) implements OddKernel {
    public static final int MAX_SIZE = 255;

    public MedianBlur {
      checkOdd("size", size, 3, MAX_SIZE);
    }
  }

  /**
   * {@code cv::bilateralFilter} with pixel neighbourhood {@code diameter} on the colour channels (alpha kept).
   * OpenCV filters at least a 3x3 neighbourhood: a diameter of 1 or 2 is taken as 3.
   */
  record Bilateral(int diameter, double sigmaColor, double sigmaSpace) implements Local {
    public static final int MAX_DIAMETER = 31;
    public static final double MAX_SIGMA = 1000;

    public Bilateral {
      check(diameter >= 1 && diameter <= MAX_DIAMETER,
          "diameter must be from 1 to " + MAX_DIAMETER + ", got " + diameter);
      check(sigmaColor > 0 && sigmaColor <= MAX_SIGMA,
          "sigmaColor must be from 0.1 to " + MAX_SIGMA + ", got " + sigmaColor);
      check(sigmaSpace > 0 && sigmaSpace <= MAX_SIGMA,
          "sigmaSpace must be from 0.1 to " + MAX_SIGMA + ", got " + sigmaSpace);
    }

    @Override
    public int halo() {
      return Math.max(1, diameter / 2);
    }
  }

  /** A 3x3 Laplacian sharpening kernel: centre 1 + 4 amount, edge neighbours -amount ({@code cv::filter2D}). */
  record Sharpen(double amount) implements Local {
    public static final double MAX_AMOUNT = 10;

    public Sharpen {
      check(amount > 0 && amount <= MAX_AMOUNT, "amount must be from 0.01 to " + MAX_AMOUNT + ", got " + amount);
    }

    @Override
    public int halo() {
      return 1;
    }
  }

  /** Unsharp mask: {@code addWeighted(src, 1 + amount, GaussianBlur(src, sigma), -amount, 0)}. */
  record Unsharp(double sigma, double amount) implements Local {
    public static final double MAX_AMOUNT = 10;

    public Unsharp {
      check(sigma >= GaussianBlur.MIN_SIGMA && sigma <= GaussianBlur.MAX_SIGMA,
          "sigma must be from " + GaussianBlur.MIN_SIGMA + " to " + GaussianBlur.MAX_SIGMA + ", got " + sigma);
      check(amount > 0 && amount <= MAX_AMOUNT, "amount must be from 0.01 to " + MAX_AMOUNT + ", got " + amount);
    }

    public GaussianBlur blur() {
      return new GaussianBlur(sigma);
    }

    @Override
    public int halo() {
      return blur().halo();
    }
  }

  /** {@code convertScaleAbs(Sobel(src, CV_16S, dx, dy, size))}: the absolute derivative, saturated to 8 bits. */
  record Sobel(int dx, int dy, int size) implements Local {
    public static final List<Integer> SIZES = List.of(1, 3, 5, 7);

    public Sobel {
      check(SIZES.contains(size), "size must be one of " + SIZES + ", got " + size);
      check(dx >= 0 && dx <= 2 && dy >= 0 && dy <= 2, "dx and dy must be from 0 to 2, got " + dx + " and " + dy);
      check(dx + dy >= 1, "dx + dy must be at least 1");
      check(size > 1 || dx + dy <= 2, "with size 1, dx + dy must be at most 2");
    }

    @Override
    public int halo() {
      return Math.max(1, size / 2);
    }
  }

  /** {@code convertScaleAbs(Scharr(src, CV_16S, dx, dy))}, dx + dy = 1. */
  record Scharr(int dx, int dy) implements Local {
    public Scharr {
      check(dx >= 0 && dy >= 0 && dx + dy == 1, "exactly one of dx and dy must be 1, got dx " + dx + ", dy " + dy);
    }

    @Override
    public int halo() {
      return 1;
    }
  }

  /** {@code convertScaleAbs(Laplacian(src, CV_16S, size))}. */
  record Laplacian(int size) implements Local {
    public static final List<Integer> SIZES = List.of(1, 3, 5, 7);

    public Laplacian {
      check(SIZES.contains(size), "size must be one of " + SIZES + ", got " + size);
    }

    @Override
    public int halo() {
      return Math.max(1, size / 2);
    }
  }

  /** The structuring element of a morphology op ({@code cv::getStructuringElement}). */
  enum Shape implements Labelled {
    RECT, CROSS, ELLIPSE
  }

  /** The five morphology ops, by their op names. */
  enum Morph implements Labelled {
    ERODE, DILATE, OPEN, CLOSE, GRADIENT
  }

  /**
   * {@code cv::morphologyEx} with a {@code size x size} structuring element of {@code shape}, repeated
   * {@code iterations} times, default border (pixels outside the image never win the min or max).
   */
  record Morphology(Morph morph, Shape shape, int size, int iterations) implements Local {
    public static final int MAX_SIZE = 51;
    public static final int MAX_ITERATIONS = 16;

    public Morphology {
      check(morph != null && shape != null, "morph and shape are required");
      checkOdd("size", size, 1, MAX_SIZE);
      check(iterations >= 1 && iterations <= MAX_ITERATIONS,
          "iterations must be from 1 to " + MAX_ITERATIONS + ", got " + iterations);
    }

    /** The morphology op's own name ({@code erode}, {@code open}, ...): one record serves the five. */
    @Override
    public String name() {
      return morph.label();
    }

    @Override
    public int halo() {
      int one = (size / 2) * iterations;
      return morph == Morph.OPEN || morph == Morph.CLOSE ? 2 * one : one;
    }
  }

  // ---------------------------------------------------------------- point ops

  /** Colour spaces {@code convert-color} converts BGR to (each channel then stored as an 8-bit sample). */
  enum ColorSpace implements Labelled {
    HSV, HLS, LAB, LUV, YCRCB, XYZ
  }

  /** {@code cvtColor} from RGB to {@code to} (8-bit OpenCV scaling); grey input is taken as RGB, alpha dropped. */
  record ConvertColor(ColorSpace to) implements PointOp {
    public ConvertColor {
      check(to != null, "to is required");
    }

    @Override
    public int outputChannels(int channels) {
      return 3;
    }
  }

  /** {@code convertTo(dst, -1, contrast, brightness)} on the colour channels (alpha kept). */
  record BrightnessContrast(double contrast, double brightness) implements PointOp {
    public static final double MAX_CONTRAST = 10;

    public BrightnessContrast {
      check(contrast >= 0 && contrast <= MAX_CONTRAST,
          "contrast must be from 0 to " + MAX_CONTRAST + ", got " + contrast);
      check(brightness >= -255 && brightness <= 255, "brightness must be from -255 to 255, got " + brightness);
    }
  }

  /** {@code LUT} of {@code round(255 (v/255)^(1/gamma))} on the colour channels: gamma above 1 brightens. */
  record Gamma(double gamma) implements PointOp {
    public static final double MIN = 0.05;
    public static final double MAX = 20;

    public Gamma {
      check(gamma >= MIN && gamma <= MAX, "gamma must be from " + MIN + " to " + MAX + ", got " + gamma);
    }
  }

  /** {@code bitwise_not} of the colour channels (alpha kept). */
  record Invert() implements PointOp {}

  /** The types of {@code cv::threshold}. */
  enum ThresholdType implements Labelled {
    BINARY, BINARY_INV, TRUNC, TOZERO, TOZERO_INV
  }

  /** {@code cv::threshold(src, dst, value, max, type)} on the colour channels, each on its own. */
  record Threshold(int value, int max, ThresholdType type) implements PointOp {
    public Threshold {
      check(value >= 0 && value <= 255, "value must be from 0 to 255, got " + value);
      check(max >= 0 && max <= 255, "max must be from 0 to 255, got " + max);
      check(type != null, "type is required");
    }
  }

  /**
   * {@code cv::adaptiveThreshold} (mean or Gaussian of a {@code size x size} neighbourhood minus {@code c});
   * colour input is made grey first, so the result has one channel.
   */
  record AdaptiveThreshold(boolean gaussian, int size, double c, int max, boolean inverted) implements OddKernel {
    public static final int MAX_SIZE = 255;

    public AdaptiveThreshold {
      checkOdd("size", size, 3, MAX_SIZE);
      check(c >= -255 && c <= 255, "c must be from -255 to 255, got " + c);
      check(max >= 0 && max <= 255, "max must be from 0 to 255, got " + max);
    }

    @Override
    public int outputChannels(int channels) {
      return 1;
    }
  }

  /** OpenCV's colour maps ({@code cv::applyColorMap}), by their lower-case names. */
  List<String> COLOR_MAPS = List.of("autumn", "bone", "jet", "winter", "rainbow", "ocean", "summer", "spring",
      "cool", "hsv", "pink", "hot", "parula", "magma", "inferno", "plasma", "viridis", "cividis", "twilight",
      "twilight-shifted", "turbo", "deepgreen");

  /** {@code cv::applyColorMap} of the grey value (colour input is made grey first); the result is RGB. */
  record ColorMap(String map) implements PointOp {
    public ColorMap {
      check(COLOR_MAPS.contains(map), "map must be one of " + String.join(", ", COLOR_MAPS) + ", got '" + map + "'");
    }

    /** OpenCV's {@code COLORMAP_*} constant: the position in {@link #COLOR_MAPS}. */
    public int code() {
      return COLOR_MAPS.indexOf(map);
    }

    @Override
    public int outputChannels(int channels) {
      return 3;
    }
  }

  // ---------------------------------------------------------------- whole-image ops (two passes)

  /**
   * {@code cv::equalizeHist} of each colour channel (alpha kept). The histogram is the whole image's,
   * gathered tile by tile.
   */
  record EqualizeHist() implements WholeImage {}

  /**
   * {@code cv::threshold(grey, dst, 0, max, THRESH_BINARY[_INV] | THRESH_OTSU)}: colour input is made grey
   * first; the threshold comes from the whole image's histogram.
   */
  record OtsuThreshold(int max, boolean inverted) implements WholeImage {
    public OtsuThreshold {
      check(max >= 0 && max <= 255, "max must be from 0 to 255, got " + max);
    }

    @Override
    public int outputChannels(int channels) {
      return 1;
    }
  }

  /**
   * {@code cv::normalize(src, dst, min, max, NORM_MINMAX)}: the whole image's smallest and largest samples
   * (over all channels, alpha included, as OpenCV does) stretched onto [min, max].
   */
  record Normalize(int min, int max) implements WholeImage {
    public Normalize {
      check(min >= 0 && min <= 255 && max >= 0 && max <= 255,
          "min and max must be from 0 to 255, got " + min + " and " + max);
    }
  }

  /**
   * Contrast-limited adaptive histogram equalization, equal to {@code createCLAHE(clip, grid x grid).apply}
   * on the whole image, on each colour channel (alpha kept).
   */
  record Clahe(double clip, int grid) implements WholeImage {
    public static final double MAX_CLIP = 1000;
    public static final int MAX_GRID = 64;

    public Clahe {
      check(clip >= 0 && clip <= MAX_CLIP, "clip must be from 0 to " + MAX_CLIP + ", got " + clip);
      check(grid >= 1 && grid <= MAX_GRID, "grid must be from 1 to " + MAX_GRID + ", got " + grid);
    }
  }

  /**
   * {@code cv::Canny(src, edges, low, high, aperture, l2)}. Hysteresis follows edges across the whole image,
   * so it runs as two passes: edge candidates are labelled per tile, joined across tile borders, then drawn.
   */
  record Canny(double low, double high, int aperture, boolean l2) implements WholeImage {
    public static final double MAX_THRESHOLD = 100_000;
    public static final List<Integer> APERTURES = List.of(3, 5, 7);

    public Canny {
      check(low >= 0 && low <= MAX_THRESHOLD, "low must be from 0 to " + MAX_THRESHOLD + ", got " + low);
      check(high >= 0 && high <= MAX_THRESHOLD, "high must be from 0 to " + MAX_THRESHOLD + ", got " + high);
      check(low <= high, "low (" + low + ") must not be above high (" + high + ")");
      check(APERTURES.contains(aperture), "aperture must be one of " + APERTURES + ", got " + aperture);
    }

    /** Context of the edge candidates: the Sobel aperture, plus one for non-maximum suppression. */
    public int candidateHalo() {
      return aperture / 2 + 1;
    }

    @Override
    public int halo() {
      return candidateHalo();
    }

    @Override
    public int outputChannels(int channels) {
      return 1;
    }
  }

  // ---------------------------------------------------------------- geometry

  /** How {@code resize} samples. */
  enum Interpolation implements Labelled {
    NEAREST, LINEAR
  }

  /**
   * {@code cv::resize} by {@code factor} (then width and height are 0) or to {@code width x height} (then
   * factor is 0); {@code nearest} is {@code INTER_NEAREST}, {@code linear} is {@code INTER_LINEAR}.
   */
  record Resize(double factor, int width, int height, Interpolation interpolation) implements Geometry {
    public static final double MIN_FACTOR = 0.01;
    public static final double MAX_FACTOR = 16;

    public Resize {
      check(interpolation != null, "interpolation is required");
      if (factor != 0) {
        check(factor >= MIN_FACTOR && factor <= MAX_FACTOR,
            "factor must be from " + MIN_FACTOR + " to " + MAX_FACTOR + ", got " + factor);
        check(width == 0 && height == 0, "give either factor or width and height, not both");
      } else {
        check(width >= 1 && width <= JobRequest.MAX_SIDE && height >= 1 && height <= JobRequest.MAX_SIDE,
            "give factor, or width and height from 1 to " + JobRequest.MAX_SIDE);
      }
    }

    @Override
    public int outputWidth(int w, int h) {
      return factor != 0 ? Math.max(1, (int) Math.rint(w * factor)) : width;
    }

    @Override
    public int outputHeight(int w, int h) {
      return factor != 0 ? Math.max(1, (int) Math.rint(h * factor)) : height;
    }

    /** OpenCV's {@code inv_scale_x} for an input {@code w} wide: the factor, or width / w. */
    public double scaleX(int w) {
      return factor != 0 ? factor : (double) width / w;
    }

    public double scaleY(int h) {
      return factor != 0 ? factor : (double) height / h;
    }
  }

  /** Which way {@code flip} mirrors. */
  enum Axis implements Labelled {
    HORIZONTAL, VERTICAL, BOTH
  }

  /** {@code cv::flip}: horizontal mirrors left-right, vertical top-bottom. */
  record Flip(Axis axis) implements Geometry {
    public Flip {
      check(axis != null, "axis is required");
    }

    @Override
    public int outputWidth(int w, int h) {
      return w;
    }

    @Override
    public int outputHeight(int w, int h) {
      return h;
    }
  }

  /** {@code cv::rotate} clockwise by 90, 180 or 270 degrees. */
  record Rotate(int degrees) implements Geometry {
    public static final List<Integer> DEGREES = List.of(90, 180, 270);

    public Rotate {
      check(DEGREES.contains(degrees), "degrees must be one of " + DEGREES + ", got " + degrees);
    }

    @Override
    public int outputWidth(int w, int h) {
      return degrees == 180 ? w : h;
    }

    @Override
    public int outputHeight(int w, int h) {
      return degrees == 180 ? h : w;
    }
  }

  /** Keeps the rectangle at {@code x, y} of {@code width x height}, which must lie inside the image. */
  record Crop(int x, int y, int width, int height) implements Geometry {
    public Crop {
      check(x >= 0 && y >= 0, "x and y must not be negative, got " + x + ", " + y);
      check(width >= 1 && height >= 1 && width <= JobRequest.MAX_SIDE && height <= JobRequest.MAX_SIDE,
          "width and height must be from 1 to " + JobRequest.MAX_SIDE);
    }

    @Override
    public int outputWidth(int w, int h) {
      return width;
    }

    @Override
    public int outputHeight(int w, int h) {
      return height;
    }
  }

  // ---------------------------------------------------------------- analysis

  /** Counts of each sample value per channel (alpha included), in {@code bins} equal bins of 0..255. */
  record Histogram(int bins) implements Analysis {
    public Histogram {
      check(bins >= 2 && bins <= 256 && 256 % bins == 0, "bins must divide 256 (2, 4, 8, ..., 256), got " + bins);
    }
  }

  /**
   * The {@code count} most frequent colours after quantizing each channel to {@code levels} levels (a
   * colour cube of levels^3 cells): exact counts, so per-tile counts merge without loss.
   */
  record DominantColors(int count, int levels) implements Analysis {
    public DominantColors {
      check(count >= 1 && count <= 64, "count must be from 1 to 64, got " + count);
      check(levels >= 2 && levels <= 64 && 256 % levels == 0, "levels must divide 256 (2, 4, ..., 64), got " + levels);
    }
  }

  /**
   * Faces found by an OpenCV cascade classifier ({@code detectMultiScale}); tiles overlap by
   * {@code maxSize} so that a face is wholly inside at least one tile, and detections across tile borders
   * are merged.
   */
  record DetectFaces(String cascade, double scaleFactor, int minNeighbors, int minSize, int maxSize)
      implements Analysis {
    public static final List<String> CASCADES = List.of("frontalface-default", "frontalface-alt",
        "frontalface-alt2", "profileface");

    public DetectFaces {
      check(CASCADES.contains(cascade),
          "cascade must be one of " + String.join(", ", CASCADES) + ", got '" + cascade + "'");
      check(scaleFactor >= 1.01 && scaleFactor <= 2, "scaleFactor must be from 1.01 to 2, got " + scaleFactor);
      check(minNeighbors >= 0 && minNeighbors <= 32, "minNeighbors must be from 0 to 32, got " + minNeighbors);
      check(minSize >= 8 && minSize <= 4096, "minSize must be from 8 to 4096, got " + minSize);
      check(maxSize >= minSize && maxSize <= 4096, "maxSize must be from minSize to 4096, got " + maxSize);
    }

    /** The cascade's file name in OpenCV's haarcascades folder. */
    public String fileName() {
      return "haarcascade_" + cascade.replace('-', '_') + ".xml";
    }

    @Override
    public int halo() {
      return maxSize;
    }
  }
}
