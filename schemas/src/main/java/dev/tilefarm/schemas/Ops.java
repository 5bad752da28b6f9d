package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.ImageOp.Interpolation;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry of image ops: the single place an {@code "op"} name becomes an {@link ImageOp}, and the
 * list of them (with their parameters and ranges) for help text and error messages.
 */
public final class Ops {
  private record Entry(String params, Function<Fields, ImageOp> parser) {}

  private static final Map<String, Entry> OPS = new LinkedHashMap<>();

  private static final List<String> SHAPES = labels(ImageOp.Shape.values());
  private static final List<String> THRESHOLD_TYPES = labels(ImageOp.ThresholdType.values());
  private static final List<String> BINARY_TYPES = List.of("binary", "binary-inv");

  static {
    OPS.put("grayscale", new Entry("(no parameters)", f -> new ImageOp.Grayscale()));
    OPS.put("gaussian-blur", new Entry(
        "sigma: number " + ImageOp.GaussianBlur.MIN_SIGMA + ".." + ImageOp.GaussianBlur.MAX_SIGMA,
        f -> new ImageOp.GaussianBlur(
            f.number("sigma", ImageOp.GaussianBlur.MIN_SIGMA, ImageOp.GaussianBlur.MAX_SIGMA))));
    OPS.put("box-blur", new Entry("size: odd 3..255 (5)", f -> new ImageOp.BoxBlur(odd(f, "size", 3, 255, 5))));
    OPS.put("median-blur", new Entry("size: odd 3..255 (5)",
        f -> new ImageOp.MedianBlur(odd(f, "size", 3, 255, 5))));
    OPS.put("bilateral", new Entry("diameter: 1..31 (9), sigmaColor: 0.1..1000 (75), sigmaSpace: 0.1..1000 (75)",
        f -> new ImageOp.Bilateral(f.integer("diameter", 1, ImageOp.Bilateral.MAX_DIAMETER, 9),
            f.number("sigmaColor", 0.1, ImageOp.Bilateral.MAX_SIGMA, 75),
            f.number("sigmaSpace", 0.1, ImageOp.Bilateral.MAX_SIGMA, 75))));
    OPS.put("sharpen", new Entry("amount: 0.01..10 (1)",
        f -> new ImageOp.Sharpen(f.number("amount", 0.01, ImageOp.Sharpen.MAX_AMOUNT, 1))));
    OPS.put("unsharp", new Entry("sigma: 0.1..64 (2), amount: 0.01..10 (1)",
        f -> new ImageOp.Unsharp(f.number("sigma", ImageOp.GaussianBlur.MIN_SIGMA, ImageOp.GaussianBlur.MAX_SIGMA, 2),
            f.number("amount", 0.01, ImageOp.Unsharp.MAX_AMOUNT, 1))));
    OPS.put("sobel", new Entry("dx: 0..2 (1), dy: 0..2 (0), size: 1|3|5|7 (3); dx + dy >= 1",
        f -> {
          int dx = f.integer("dx", 0, 2, 1);
          int dy = f.integer("dy", 0, 2, 0);
          int size = oneOf(f, "size", ImageOp.Sobel.SIZES, 3);
          if (dx + dy < 1) {
            throw f.error("dy", "dx + dy must be at least 1, got dx " + dx + " and dy " + dy);
          }
          if (size == 1 && dx + dy > 2) {
            throw f.error("size", "size 1 takes dx + dy of at most 2; use size 3 or more");
          }
          return new ImageOp.Sobel(dx, dy, size);
        }));
    OPS.put("scharr", new Entry("dx: 0..1 (1), dy: 0..1 (0); dx + dy = 1",
        f -> {
          int dx = f.integer("dx", 0, 1, 1);
          int dy = f.integer("dy", 0, 1, 0);
          if (dx + dy != 1) {
            throw f.error("dy", "exactly one of dx and dy must be 1, got dx " + dx + " and dy " + dy);
          }
          return new ImageOp.Scharr(dx, dy);
        }));
    OPS.put("laplacian", new Entry("size: 1|3|5|7 (3)",
        f -> new ImageOp.Laplacian(oneOf(f, "size", ImageOp.Laplacian.SIZES, 3))));
    OPS.put("canny", new Entry("low: 0..100000, high: low..100000, aperture: 3|5|7 (3), l2: boolean (false)",
        f -> {
          double low = f.number("low", 0, ImageOp.Canny.MAX_THRESHOLD);
          double high = f.number("high", 0, ImageOp.Canny.MAX_THRESHOLD);
          if (low > high) {
            throw f.error("low", "must not be above high (" + high + "), got " + low);
          }
          return new ImageOp.Canny(low, high, oneOf(f, "aperture", ImageOp.Canny.APERTURES, 3), f.bool("l2", false));
        }));
    for (ImageOp.Morph morph : ImageOp.Morph.values()) {
      OPS.put(morph.label(), new Entry("shape: " + String.join("|", SHAPES) + " (rect), size: odd 1..51 (3), iterations: 1..16 (1)",
          f -> new ImageOp.Morphology(morph, ImageOp.Shape.valueOf(upper(f.choice("shape", SHAPES, "rect"))),
              odd(f, "size", 1, ImageOp.Morphology.MAX_SIZE, 3),
              f.integer("iterations", 1, ImageOp.Morphology.MAX_ITERATIONS, 1))));
    }
    List<String> spaces = labels(ImageOp.ColorSpace.values());
    OPS.put("convert-color", new Entry("to: " + String.join("|", spaces),
        f -> new ImageOp.ConvertColor(ImageOp.ColorSpace.valueOf(upper(f.choice("to", spaces, null))))));
    OPS.put("brightness-contrast", new Entry("contrast: 0..10 (1), brightness: -255..255 (0)",
        f -> new ImageOp.BrightnessContrast(f.number("contrast", 0, ImageOp.BrightnessContrast.MAX_CONTRAST, 1),
            f.number("brightness", -255, 255, 0))));
    OPS.put("gamma", new Entry("gamma: 0.05..20",
        f -> new ImageOp.Gamma(f.number("gamma", ImageOp.Gamma.MIN, ImageOp.Gamma.MAX))));
    OPS.put("invert", new Entry("(no parameters)", f -> new ImageOp.Invert()));
    OPS.put("threshold", new Entry("value: 0..255, max: 0..255 (255), type: " + String.join("|", THRESHOLD_TYPES) + " (binary)",
        f -> new ImageOp.Threshold(f.integer("value", 0, 255), f.integer("max", 0, 255, 255),
            ImageOp.ThresholdType.valueOf(upper(f.choice("type", THRESHOLD_TYPES, "binary"))))));
    OPS.put("adaptive-threshold", new Entry(
        "method: mean|gaussian (mean), size: odd 3..255 (11), c: -255..255 (2), max: 0..255 (255), type: binary|binary-inv (binary)",
        f -> new ImageOp.AdaptiveThreshold(f.choice("method", List.of("mean", "gaussian"), "mean").equals("gaussian"),
            odd(f, "size", 3, ImageOp.AdaptiveThreshold.MAX_SIZE, 11), f.number("c", -255, 255, 2),
            f.integer("max", 0, 255, 255), f.choice("type", BINARY_TYPES, "binary").equals("binary-inv"))));
    OPS.put("color-map", new Entry("map: " + String.join("|", ImageOp.COLOR_MAPS),
        f -> new ImageOp.ColorMap(f.choice("map", ImageOp.COLOR_MAPS, null))));
    OPS.put("equalize-hist", new Entry("(no parameters; two passes)", f -> new ImageOp.EqualizeHist()));
    OPS.put("otsu-threshold", new Entry("max: 0..255 (255), type: binary|binary-inv (binary); two passes",
        f -> new ImageOp.OtsuThreshold(f.integer("max", 0, 255, 255),
            f.choice("type", BINARY_TYPES, "binary").equals("binary-inv"))));
    OPS.put("normalize", new Entry("min: 0..255 (0), max: 0..255 (255); two passes",
        f -> new ImageOp.Normalize(f.integer("min", 0, 255, 0), f.integer("max", 0, 255, 255))));
    OPS.put("clahe", new Entry("clip: 0..1000 (40), grid: 1..64 (8); two passes",
        f -> new ImageOp.Clahe(f.number("clip", 0, ImageOp.Clahe.MAX_CLIP, 40), f.integer("grid", 1, ImageOp.Clahe.MAX_GRID, 8))));
    List<String> interpolations = labels(Interpolation.values());
    OPS.put("resize", new Entry("factor: 0.01..16, or width and height: 1..65536; interpolation: "
        + String.join("|", interpolations) + " (linear)",
        f -> {
          Interpolation interpolation = Interpolation.valueOf(upper(f.choice("interpolation", interpolations, "linear")));
          if (f.has("factor")) {
            if (f.has("width") || f.has("height")) {
              throw f.error(f.has("width") ? "width" : "height", "give either factor or width and height, not both");
            }
            return new ImageOp.Resize(f.number("factor", ImageOp.Resize.MIN_FACTOR, ImageOp.Resize.MAX_FACTOR), 0, 0,
                interpolation);
          }
          return new ImageOp.Resize(0, f.integer("width", 1, JobRequest.MAX_SIDE),
              f.integer("height", 1, JobRequest.MAX_SIDE), interpolation);
        }));
    List<String> axes = labels(ImageOp.Axis.values());
    OPS.put("flip", new Entry("axis: " + String.join("|", axes),
        f -> new ImageOp.Flip(ImageOp.Axis.valueOf(upper(f.choice("axis", axes, null))))));
    OPS.put("rotate", new Entry("degrees: 90|180|270 (clockwise)",
        f -> new ImageOp.Rotate(oneOf(f, "degrees", ImageOp.Rotate.DEGREES, null))));
    OPS.put("crop", new Entry("x, y: 0..65535, width, height: 1..65536 (inside the image)",
        f -> new ImageOp.Crop(f.integer("x", 0, JobRequest.MAX_SIDE - 1), f.integer("y", 0, JobRequest.MAX_SIDE - 1),
            f.integer("width", 1, JobRequest.MAX_SIDE), f.integer("height", 1, JobRequest.MAX_SIDE))));
    OPS.put("histogram", new Entry("bins: 2..256 dividing 256 (256); report only",
        f -> {
          int bins = f.integer("bins", 2, 256, 256);
          if (256 % bins != 0) {
            throw f.error("bins", "must divide 256 (2, 4, 8, 16, 32, 64, 128 or 256), got " + bins);
          }
          return new ImageOp.Histogram(bins);
        }));
    OPS.put("dominant-colors", new Entry("count: 1..64 (5), levels: 2..64 dividing 256 (8); report only",
        f -> {
          int count = f.integer("count", 1, 64, 5);
          int levels = f.integer("levels", 2, 64, 8);
          if (256 % levels != 0) {
            throw f.error("levels", "must divide 256 (2, 4, 8, 16, 32 or 64), got " + levels);
          }
          return new ImageOp.DominantColors(count, levels);
        }));
    OPS.put("detect-faces", new Entry("cascade: " + String.join("|", ImageOp.DetectFaces.CASCADES)
        + " (frontalface-default), scaleFactor: 1.01..2 (1.1), minNeighbors: 0..32 (3), minSize: 8..4096 (24),"
        + " maxSize: minSize..4096 (256); report only",
        f -> {
          String cascade = f.choice("cascade", ImageOp.DetectFaces.CASCADES, "frontalface-default");
          double scale = f.number("scaleFactor", 1.01, 2, 1.1);
          int neighbors = f.integer("minNeighbors", 0, 32, 3);
          int min = f.integer("minSize", 8, 4096, 24);
          int max = f.integer("maxSize", 8, 4096, Math.max(256, min));
          if (max < min) {
            throw f.error("maxSize", "must not be below minSize (" + min + "), got " + max);
          }
          return new ImageOp.DetectFaces(cascade, scale, neighbors, min, max);
        }));
  }

  private Ops() {}

  /** The op names, in a stable order. */
  public static List<String> names() {
    return List.copyOf(OPS.keySet());
  }

  /** One line per op: its name and parameters (defaults in parentheses), for help text. */
  public static String describe() {
    StringBuilder sb = new StringBuilder();
    OPS.forEach((name, e) -> sb.append(String.format("  %-20s %s%n", name, e.params())));
    return sb.toString();
  }

  /** Parses {@code {"op": NAME, ...params}}; faults name the field under {@code path}. */
  static ImageOp parse(JsonNode node, String path) {
    Fields f = Fields.of(node, path);
    String name = f.string("op");
    Entry entry = OPS.get(name);
    if (entry == null) {
      throw f.error("op", "unknown op '" + name + "' (valid ops: " + String.join(", ", OPS.keySet()) + ")");
    }
    ImageOp op;
    try {
      op = entry.parser().apply(f);
    } catch (IllegalArgumentException e) {
      throw f.error(null, e.getMessage());
    }
    f.done();
    return op;
  }

  private static int odd(Fields f, String name, int min, int max, int fallback) {
    int v = f.integer(name, min, max, fallback);
    if (v % 2 == 0) {
      throw f.error(name, "must be odd, from " + min + " to " + max + ", got " + v);
    }
    return v;
  }

  private static int oneOf(Fields f, String name, List<Integer> valid, Integer fallback) {
    int min = valid.get(0);
    int max = valid.get(valid.size() - 1);
    int v = fallback == null ? f.integer(name, min, max) : f.integer(name, min, max, fallback);
    if (!valid.contains(v)) {
      throw f.error(name, "must be one of " + valid + ", got " + v);
    }
    return v;
  }

  private static String upper(String label) {
    return label.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static List<String> labels(Enum<?>[] values) {
    return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
  }
}
