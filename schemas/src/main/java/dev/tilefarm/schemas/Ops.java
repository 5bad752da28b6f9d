package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The registry of image ops: the single place an {@code "op"} name becomes an {@link ImageOp}. */
public final class Ops {
  private record Entry(String params, Function<Fields, ImageOp> parser) {}

  private static final Map<String, Entry> OPS = new LinkedHashMap<>();

  static {
    OPS.put("grayscale", new Entry("(no parameters)", f -> new ImageOp.Grayscale()));
    OPS.put("gaussian-blur", new Entry(
        "sigma: number " + ImageOp.GaussianBlur.MIN_SIGMA + ".." + ImageOp.GaussianBlur.MAX_SIGMA,
        f -> new ImageOp.GaussianBlur(
            f.number("sigma", ImageOp.GaussianBlur.MIN_SIGMA, ImageOp.GaussianBlur.MAX_SIGMA))));
  }

  private Ops() {}

  /** The op names, in a stable order. */
  public static List<String> names() {
    return List.copyOf(OPS.keySet());
  }

  /** One line per op: its name and parameters, for help text. */
  public static String describe() {
    StringBuilder sb = new StringBuilder();
    OPS.forEach((name, e) -> sb.append(String.format("  %-14s %s%n", name, e.params())));
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
}
