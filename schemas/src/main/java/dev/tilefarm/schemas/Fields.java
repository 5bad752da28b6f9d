package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A strict reader of one JSON object: every read names its field, every fault is an {@link
 * InvalidJobException} with the field's path, and {@link #done()} rejects the fields nobody read (a typo
 * is reported with the list of valid names, never ignored).
 */
final class Fields {
  private final ObjectNode node;
  private final String path;
  private final Set<String> known = new LinkedHashSet<>();

  private Fields(ObjectNode node, String path) {
    this.node = node;
    this.path = path;
  }

  static Fields of(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw new InvalidJobException(null, path.isEmpty() ? null : path,
          "must be a JSON object, got " + describe(node));
    }
    return new Fields((ObjectNode) node, path);
  }

  String path(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  InvalidJobException error(String name, String reason) {
    return new InvalidJobException(null, name == null ? (path.isEmpty() ? null : path) : path(name), reason);
  }

  boolean has(String name) {
    known.add(name);
    JsonNode v = node.get(name);
    return v != null && !v.isNull();
  }

  /** The field's value without counting it as read (null if absent). */
  JsonNode peek(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  JsonNode raw(String name) {
    known.add(name);
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  String string(String name) {
    JsonNode v = raw(name);
    if (v == null) {
      throw error(name, "is required");
    }
    return text(name, v);
  }

  String string(String name, String fallback) {
    JsonNode v = raw(name);
    return v == null ? fallback : text(name, v);
  }

  private String text(String name, JsonNode v) {
    if (!v.isTextual()) {
      throw error(name, "must be a string, got " + describe(v));
    }
    return v.asText();
  }

  int integer(String name, int min, int max) {
    JsonNode v = raw(name);
    if (v == null) {
      throw error(name, "is required (an integer from " + min + " to " + max + ")");
    }
    return integerValue(name, v, min, max);
  }

  int integer(String name, int min, int max, int fallback) {
    JsonNode v = raw(name);
    return v == null ? fallback : integerValue(name, v, min, max);
  }

  private int integerValue(String name, JsonNode v, int min, int max) {
    if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
      throw error(name, "must be an integer from " + min + " to " + max + ", got " + describe(v));
    }
    if (!v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw error(name, "must be from " + min + " to " + max + ", got " + v.asText());
    }
    return (int) v.asLong();
  }

  long longValue(String name, long fallback) {
    JsonNode v = raw(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw error(name, "must be a 64-bit integer, got " + describe(v));
    }
    return v.asLong();
  }

  double number(String name, double min, double max, double fallback) {
    JsonNode v = raw(name);
    return v == null ? fallback : numberValue(name, v, min, max);
  }

  double number(String name, double min, double max) {
    JsonNode v = raw(name);
    if (v == null) {
      throw error(name, "is required (a number from " + min + " to " + max + ")");
    }
    return numberValue(name, v, min, max);
  }

  private double numberValue(String name, JsonNode v, double min, double max) {
    if (!v.isNumber()) {
      throw error(name, "must be a number, got " + describe(v));
    }
    double d = v.asDouble();
    if (!Double.isFinite(d) || d < min || d > max) {
      throw error(name, "must be from " + min + " to " + max + ", got " + v.asText());
    }
    return d;
  }

  /** One of {@code valid}, or {@code fallback} (null: required) when absent; a fault lists the valid values. */
  String choice(String name, List<String> valid, String fallback) {
    JsonNode v = raw(name);
    if (v == null) {
      if (fallback == null) {
        throw error(name, "is required (one of " + String.join(", ", valid) + ")");
      }
      return fallback;
    }
    if (!v.isTextual() || !valid.contains(v.asText())) {
      throw error(name, "must be one of " + String.join(", ", valid) + ", got " + describe(v));
    }
    return v.asText();
  }

  boolean bool(String name, boolean fallback) {
    JsonNode v = raw(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw error(name, "must be true or false, got " + describe(v));
    }
    return v.asBoolean();
  }

  /** A fixed-length array of finite numbers, e.g. a point or a colour. */
  double[] vector(String name, int length, double min, double max, double[] fallback) {
    JsonNode v = raw(name);
    if (v == null) {
      if (fallback == null) {
        throw error(name, "is required (an array of " + length + " numbers)");
      }
      return fallback.clone();
    }
    if (!v.isArray() || v.size() != length) {
      throw error(name, "must be an array of " + length + " numbers, got " + describe(v));
    }
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      JsonNode e = v.get(i);
      if (!e.isNumber() || !Double.isFinite(e.asDouble()) || e.asDouble() < min || e.asDouble() > max) {
        throw error(name + "[" + i + "]", "must be a number from " + min + " to " + max + ", got " + describe(e));
      }
      out[i] = e.asDouble();
    }
    return out;
  }

  List<JsonNode> array(String name, int maxLength) {
    JsonNode v = raw(name);
    if (v == null) {
      throw error(name, "is required (an array)");
    }
    if (!v.isArray()) {
      throw error(name, "must be an array, got " + describe(v));
    }
    if (v.size() > maxLength) {
      throw error(name, "has " + v.size() + " entries; at most " + maxLength + " are allowed");
    }
    List<JsonNode> out = new ArrayList<>();
    v.forEach(out::add);
    return out;
  }

  /** Fails on any field that no read asked for, naming the valid ones. */
  void done() {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw error(name, "unknown field (valid fields here: " + String.join(", ", known) + ")");
      }
    }
  }

  static String describe(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "nothing";
    }
    String kind = v.isTextual() ? "a string" : v.isNumber() ? "the number" : v.isBoolean() ? "a boolean"
        : v.isArray() ? "an array of " + v.size() : v.isObject() ? "an object" : v.getNodeType().toString();
    if (v.isNumber() || v.isBoolean()) {
      return kind + " " + v.asText();
    }
    if (v.isTextual()) {
      String t = v.asText();
      return kind + " \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
    }
    return kind;
  }
}
