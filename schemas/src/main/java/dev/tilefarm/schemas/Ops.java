package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.ImageOp.Interpolation;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The registry of image ops: the single place an {@code "op"} name becomes an {@link ImageOp}. Each op is
 * declared once, with its typed parameters ({@link Param}: name, type, range, default), which parse the JSON,
 * make the help text and error messages, and which {@code SchemaAgreementTest} checks the JSON Schema against.
 */
public final class Ops {
  /**
   * A parameter of an op. {@code fallback} is its default, or null when the parameter is required (or, for
   * resize's factor, width and height, one of two alternatives the op's parser chooses between).
   */
  sealed interface Param permits Param.Int, Param.Num, Param.Choice, Param.Bool {
    String name();

    /** The parameter for help text: {@code size: odd 3..255 (5)}. */
    String describe();

    /**
     * An integer from {@code min} to {@code max}; {@code odd} ones only, or only those in {@code only} when it is
     * not empty (then min and max are its first and last).
     */
    record Int(String name, int min, int max, Integer fallback, boolean odd, List<Integer> only) implements Param {
      public Int {
        only = List.copyOf(only);
      }

      int read(Fields f) {
        return read(f, fallback);
      }

      /** As {@link #read(Fields)}, with a default that depends on other parameters. */
      int read(Fields f, Integer fallback) {
        int v = fallback == null ? f.integer(name, min, max) : f.integer(name, min, max, fallback);
        if (odd && v % 2 == 0) {
          throw f.error(name, "must be odd, from " + min + " to " + max + ", got " + v);
        }
        if (!only.isEmpty() && !only.contains(v)) {
          throw f.error(name, "must be one of " + only + ", got " + v);
        }
        return v;
      }

      @Override
      public String describe() {
        String range = only.isEmpty() ? (odd ? "odd " : "") + min + ".." + max
            : only.stream().map(String::valueOf).collect(Collectors.joining("|"));
        return name + ": " + range + (fallback == null ? "" : " (" + fallback + ")");
      }
    }

    /** A number from {@code min} to {@code max}. */
    record Num(String name, double min, double max, Double fallback) implements Param {
      double read(Fields f) {
        return fallback == null ? f.number(name, min, max) : f.number(name, min, max, fallback);
      }

      @Override
      public String describe() {
        return name + ": " + number(min) + ".." + number(max) + (fallback == null ? "" : " (" + number(fallback) + ")");
      }
    }

    /** One of {@code values}. */
    record Choice(String name, List<String> values, String fallback) implements Param {
      public Choice {
        values = List.copyOf(values);
      }

      String read(Fields f) {
        return f.choice(name, values, fallback);
      }

      /** The constant of {@code type} the value names ({@code binary-inv} is {@code BINARY_INV}). */
      <E extends Enum<E>> E read(Fields f, Class<E> type) {
        return Enum.valueOf(type, read(f).toUpperCase(Locale.ROOT).replace('-', '_'));
      }

      @Override
      public String describe() {
        return name + ": " + String.join("|", values) + (fallback == null ? "" : " (" + fallback + ")");
      }
    }

    /** true or false. */
    record Bool(String name, boolean fallback) implements Param {
      boolean read(Fields f) {
        return f.bool(name, fallback);
      }

      @Override
      public String describe() {
        return name + ": boolean (" + fallback + ")";
      }
    }

    private static String number(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
  }

  /** An op: its name, its parameters, a note on what the parameters alone do not say, and its parser. */
  record Spec(String name, List<Param> params, String note, Function<Fields, ImageOp> parser) {
    Spec {
      params = List.copyOf(params);
    }

    /** Its parameters (defaults in parentheses), then the note. */
    String describe() {
      String list = params.isEmpty() ? "(no parameters)"
          : params.stream().map(Param::describe).collect(Collectors.joining(", "));
      return note == null ? list : list + "; " + note;
    }
  }

  private static final Map<String, Spec> OPS = new LinkedHashMap<>();

  /** Each op record's name: its simple name in kebab case ({@code DominantColors} is {@code dominant-colors}). */
  private static final ClassValue<String> NAMES = new ClassValue<>() {
    @Override
    protected String computeValue(Class<?> type) {
      return type.getSimpleName().replaceAll("(?<=[a-z0-9])(?=[A-Z])", "-").toLowerCase(Locale.ROOT);
    }
  };

  private static final List<String> BINARY_TYPES = List.of("binary", "binary-inv");
  private static final String TWO_PASSES = "two passes";
  private static final String REPORT_ONLY = "report only";

  private static Param.Int integer(String name, int min, int max, Integer fallback) {
    return new Param.Int(name, min, max, fallback, false, List.of());
  }

  private static Param.Int odd(String name, int min, int max, int fallback) {
    return new Param.Int(name, min, max, fallback, true, List.of());
  }

  private static Param.Int oneOf(String name, List<Integer> values, Integer fallback) {
    return new Param.Int(name, values.get(0), values.get(values.size() - 1), fallback, false, values);
  }

  /** The integers from {@code min} to {@code max} that divide 256. */
  private static List<Integer> dividing256(int min, int max) {
    return IntStream.rangeClosed(min, max).filter(v -> 256 % v == 0).boxed().toList();
  }

  private static Param.Num number(String name, double min, double max, Double fallback) {
    return new Param.Num(name, min, max, fallback);
  }

  private static Param.Choice choice(String name, List<String> values, String fallback) {
    return new Param.Choice(name, values, fallback);
  }

  private static Param.Choice choice(String name, ImageOp.Labelled[] values, String fallback) {
    return new Param.Choice(name, Arrays.stream(values).map(ImageOp.Labelled::label).toList(), fallback);
  }

  private static void op(String name, Function<Fields, ImageOp> parser, String note, Param... params) {
    OPS.put(name, new Spec(name, List.of(params), note, parser));
  }

  static {
    op("grayscale", f -> new ImageOp.Grayscale(), null);
    Param.Num sigma = number("sigma", ImageOp.GaussianBlur.MIN_SIGMA, ImageOp.GaussianBlur.MAX_SIGMA, null);
    op("gaussian-blur", f -> new ImageOp.GaussianBlur(sigma.read(f)), null, sigma);
    Param.Int boxSize = odd("size", 3, ImageOp.BoxBlur.MAX_SIZE, 5);
    op("box-blur", f -> new ImageOp.BoxBlur(boxSize.read(f)), null, boxSize);
    Param.Int medianSize = odd("size", 3, ImageOp.MedianBlur.MAX_SIZE, 5);
    op("median-blur", f -> new ImageOp.MedianBlur(medianSize.read(f)), null, medianSize);
    Param.Int diameter = integer("diameter", 1, ImageOp.Bilateral.MAX_DIAMETER, 9);
    Param.Num sigmaColor = number("sigmaColor", 0.1, ImageOp.Bilateral.MAX_SIGMA, 75.0);
    Param.Num sigmaSpace = number("sigmaSpace", 0.1, ImageOp.Bilateral.MAX_SIGMA, 75.0);
    op("bilateral", f -> new ImageOp.Bilateral(diameter.read(f), sigmaColor.read(f), sigmaSpace.read(f)), null,
        diameter, sigmaColor, sigmaSpace);
    Param.Num sharpenAmount = number("amount", 0.01, ImageOp.Sharpen.MAX_AMOUNT, 1.0);
    op("sharpen", f -> new ImageOp.Sharpen(sharpenAmount.read(f)), null, sharpenAmount);
    Param.Num unsharpSigma = number("sigma", ImageOp.GaussianBlur.MIN_SIGMA, ImageOp.GaussianBlur.MAX_SIGMA, 2.0);
    Param.Num unsharpAmount = number("amount", 0.01, ImageOp.Unsharp.MAX_AMOUNT, 1.0);
    op("unsharp", f -> new ImageOp.Unsharp(unsharpSigma.read(f), unsharpAmount.read(f)), null,
        unsharpSigma, unsharpAmount);
    Param.Int sobelDx = integer("dx", 0, 2, 1);
    Param.Int sobelDy = integer("dy", 0, 2, 0);
    Param.Int sobelSize = oneOf("size", ImageOp.Sobel.SIZES, 3);
    op("sobel", f -> {
      int dx = sobelDx.read(f);
      int dy = sobelDy.read(f);
      int size = sobelSize.read(f);
      if (dx + dy < 1) {
        throw f.error("dy", "dx + dy must be at least 1, got dx " + dx + " and dy " + dy);
      }
      if (size == 1 && dx + dy > 2) {
        throw f.error("size", "size 1 takes dx + dy of at most 2; use size 3 or more");
      }
      return new ImageOp.Sobel(dx, dy, size);
    }, "dx + dy >= 1", sobelDx, sobelDy, sobelSize);
    Param.Int scharrDx = integer("dx", 0, 1, 1);
    Param.Int scharrDy = integer("dy", 0, 1, 0);
    op("scharr", f -> {
      int dx = scharrDx.read(f);
      int dy = scharrDy.read(f);
      if (dx + dy != 1) {
        throw f.error("dy", "exactly one of dx and dy must be 1, got dx " + dx + " and dy " + dy);
      }
      return new ImageOp.Scharr(dx, dy);
    }, "dx + dy = 1", scharrDx, scharrDy);
    Param.Int laplacianSize = oneOf("size", ImageOp.Laplacian.SIZES, 3);
    op("laplacian", f -> new ImageOp.Laplacian(laplacianSize.read(f)), null, laplacianSize);
    Param.Num low = number("low", 0, ImageOp.Canny.MAX_THRESHOLD, null);
    Param.Num high = number("high", 0, ImageOp.Canny.MAX_THRESHOLD, null);
    Param.Int aperture = oneOf("aperture", ImageOp.Canny.APERTURES, 3);
    Param.Bool l2 = new Param.Bool("l2", false);
    op("canny", f -> {
      double lo = low.read(f);
      double hi = high.read(f);
      if (lo > hi) {
        throw f.error("low", "must not be above high (" + hi + "), got " + lo);
      }
      return new ImageOp.Canny(lo, hi, aperture.read(f), l2.read(f));
    }, "low <= high; " + TWO_PASSES, low, high, aperture, l2);
    Param.Choice shape = choice("shape", ImageOp.Shape.values(), "rect");
    Param.Int morphSize = odd("size", 1, ImageOp.Morphology.MAX_SIZE, 3);
    Param.Int iterations = integer("iterations", 1, ImageOp.Morphology.MAX_ITERATIONS, 1);
    for (ImageOp.Morph morph : ImageOp.Morph.values()) {
      op(morph.label(), f -> new ImageOp.Morphology(morph, shape.read(f, ImageOp.Shape.class), morphSize.read(f),
          iterations.read(f)), null, shape, morphSize, iterations);
    }
    Param.Choice to = choice("to", ImageOp.ColorSpace.values(), null);
    op("convert-color", f -> new ImageOp.ConvertColor(to.read(f, ImageOp.ColorSpace.class)), null, to);
    Param.Num contrast = number("contrast", 0, ImageOp.BrightnessContrast.MAX_CONTRAST, 1.0);
    Param.Num brightness = number("brightness", -255, 255, 0.0);
    op("brightness-contrast", f -> new ImageOp.BrightnessContrast(contrast.read(f), brightness.read(f)), null,
        contrast, brightness);
    Param.Num gamma = number("gamma", ImageOp.Gamma.MIN, ImageOp.Gamma.MAX, null);
    op("gamma", f -> new ImageOp.Gamma(gamma.read(f)), null, gamma);
    op("invert", f -> new ImageOp.Invert(), null);
    Param.Int value = integer("value", 0, 255, null);
    Param.Int thresholdMax = integer("max", 0, 255, 255);
    Param.Choice thresholdType = choice("type", ImageOp.ThresholdType.values(), "binary");
    op("threshold", f -> new ImageOp.Threshold(value.read(f), thresholdMax.read(f),
        thresholdType.read(f, ImageOp.ThresholdType.class)), null, value, thresholdMax, thresholdType);
    Param.Choice method = choice("method", List.of("mean", "gaussian"), "mean");
    Param.Int adaptiveSize = odd("size", 3, ImageOp.AdaptiveThreshold.MAX_SIZE, 11);
    Param.Num c = number("c", -255, 255, 2.0);
    Param.Int adaptiveMax = integer("max", 0, 255, 255);
    Param.Choice binaryType = choice("type", BINARY_TYPES, "binary");
    op("adaptive-threshold", f -> new ImageOp.AdaptiveThreshold(method.read(f).equals("gaussian"),
        adaptiveSize.read(f), c.read(f), adaptiveMax.read(f), binaryType.read(f).equals("binary-inv")), null,
        method, adaptiveSize, c, adaptiveMax, binaryType);
    Param.Choice map = choice("map", ImageOp.COLOR_MAPS, null);
    op("color-map", f -> new ImageOp.ColorMap(map.read(f)), null, map);
    op("equalize-hist", f -> new ImageOp.EqualizeHist(), TWO_PASSES);
    Param.Int otsuMax = integer("max", 0, 255, 255);
    op("otsu-threshold", f -> new ImageOp.OtsuThreshold(otsuMax.read(f), binaryType.read(f).equals("binary-inv")),
        TWO_PASSES, otsuMax, binaryType);
    Param.Int normalizeMin = integer("min", 0, 255, 0);
    Param.Int normalizeMax = integer("max", 0, 255, 255);
    op("normalize", f -> new ImageOp.Normalize(normalizeMin.read(f), normalizeMax.read(f)), TWO_PASSES,
        normalizeMin, normalizeMax);
    Param.Num clip = number("clip", 0, ImageOp.Clahe.MAX_CLIP, 40.0);
    Param.Int grid = integer("grid", 1, ImageOp.Clahe.MAX_GRID, 8);
    op("clahe", f -> new ImageOp.Clahe(clip.read(f), grid.read(f)), TWO_PASSES, clip, grid);
    Param.Num factor = number("factor", ImageOp.Resize.MIN_FACTOR, ImageOp.Resize.MAX_FACTOR, null);
    Param.Int width = integer("width", 1, JobRequest.MAX_SIDE, null);
    Param.Int height = integer("height", 1, JobRequest.MAX_SIDE, null);
    Param.Choice interpolation = choice("interpolation", Interpolation.values(), "linear");
    op("resize", f -> {
      Interpolation how = interpolation.read(f, Interpolation.class);
      if (f.has("factor")) {
        if (f.has("width") || f.has("height")) {
          throw f.error(f.has("width") ? "width" : "height", "give either factor or width and height, not both");
        }
        return new ImageOp.Resize(factor.read(f), 0, 0, how);
      }
      return new ImageOp.Resize(0, width.read(f), height.read(f), how);
    }, "factor, or width and height", factor, width, height, interpolation);
    Param.Choice axis = choice("axis", ImageOp.Axis.values(), null);
    op("flip", f -> new ImageOp.Flip(axis.read(f, ImageOp.Axis.class)), null, axis);
    Param.Int degrees = oneOf("degrees", ImageOp.Rotate.DEGREES, null);
    op("rotate", f -> new ImageOp.Rotate(degrees.read(f)), "clockwise", degrees);
    Param.Int x = integer("x", 0, JobRequest.MAX_SIDE - 1, null);
    Param.Int y = integer("y", 0, JobRequest.MAX_SIDE - 1, null);
    Param.Int cropWidth = integer("width", 1, JobRequest.MAX_SIDE, null);
    Param.Int cropHeight = integer("height", 1, JobRequest.MAX_SIDE, null);
    op("crop", f -> new ImageOp.Crop(x.read(f), y.read(f), cropWidth.read(f), cropHeight.read(f)),
        "inside the image", x, y, cropWidth, cropHeight);
    Param.Int bins = oneOf("bins", dividing256(2, 256), 256);
    op("histogram", f -> new ImageOp.Histogram(bins.read(f)), REPORT_ONLY, bins);
    Param.Int count = integer("count", 1, 64, 5);
    Param.Int levels = oneOf("levels", dividing256(2, 64), 8);
    op("dominant-colors", f -> new ImageOp.DominantColors(count.read(f), levels.read(f)), REPORT_ONLY, count, levels);
    Param.Choice cascade = choice("cascade", ImageOp.DetectFaces.CASCADES, "frontalface-default");
    Param.Num scaleFactor = number("scaleFactor", 1.01, 2, 1.1);
    Param.Int minNeighbors = integer("minNeighbors", 0, 32, 3);
    Param.Int minSize = integer("minSize", 8, 4096, 24);
    Param.Int maxSize = integer("maxSize", 8, 4096, 256);
    op("detect-faces", f -> {
      String which = cascade.read(f);
      double scale = scaleFactor.read(f);
      int neighbors = minNeighbors.read(f);
      int min = minSize.read(f);
      int max = maxSize.read(f, Math.max(maxSize.fallback(), min));
      if (max < min) {
        throw f.error("maxSize", "must not be below minSize (" + min + "), got " + max);
      }
      return new ImageOp.DetectFaces(which, scale, neighbors, min, max);
    }, "maxSize >= minSize (default: the larger of 256 and minSize); " + REPORT_ONLY,
        cascade, scaleFactor, minNeighbors, minSize, maxSize);
  }

  private Ops() {}

  /** The name an op record is registered under: {@link ImageOp#name()} of every op but the morphology ones. */
  static String nameOf(Class<? extends ImageOp> type) {
    return NAMES.get(type);
  }

  /** The op names, in a stable order. */
  public static List<String> names() {
    return List.copyOf(OPS.keySet());
  }

  /** Every op's declaration, in the order of {@link #names()}. */
  static List<Spec> specs() {
    return List.copyOf(OPS.values());
  }

  /** One line per op: its name and parameters (defaults in parentheses), for help text. */
  public static String describe() {
    StringBuilder sb = new StringBuilder();
    OPS.forEach((name, spec) -> sb.append(String.format("  %-20s %s%n", name, spec.describe())));
    return sb.toString();
  }

  /** Parses {@code {"op": NAME, ...params}}; faults name the field under {@code path}. */
  static ImageOp parse(JsonNode node, String path) {
    Fields f = Fields.of(node, path);
    String name = f.string("op");
    Spec spec = OPS.get(name);
    if (spec == null) {
      throw f.error("op", "unknown op '" + name + "' (valid ops: " + String.join(", ", OPS.keySet()) + ")");
    }
    ImageOp op;
    try {
      op = spec.parser().apply(f);
    } catch (IllegalArgumentException e) {
      throw f.error(null, e.getMessage());
    }
    f.done();
    return op;
  }
}
