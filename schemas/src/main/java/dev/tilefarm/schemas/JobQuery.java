package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A process job from query parameters, as the HTTP API's upload route takes it: ops as {@code op=NAME[:k=v,...]}
 * (the CLI's {@code --op} syntax) or one {@code ops=} JSON array, and {@code id}, {@code tileSize}, {@code output}.
 * What is malformed here is an {@link InvalidJobException} naming the parameter; whether the ops and values are
 * valid is the job decoder's to say ({@link JobCodec#decode}), the one place that knows them.
 *
 * <p>Query maps hold each parameter's decoded values in the order given.
 */
public final class JobQuery {
  private JobQuery() {}

  /**
   * {@code NAME[:k=v,...]} as {@code {"op": NAME, k: v, ...}}: {@code true} and {@code false} become booleans, what
   * reads as a decimal number a number, anything else a string.
   *
   * @throws InvalidJobException (field {@code op}) if a {@code k=v} has no key
   */
  public static ObjectNode op(String spec) {
    ObjectNode op = Json.MAPPER.createObjectNode();
    int colon = spec.indexOf(':');
    op.put("op", colon < 0 ? spec : spec.substring(0, colon));
    if (colon >= 0 && colon < spec.length() - 1) {
      for (String kv : spec.substring(colon + 1).split(",")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new InvalidJobException(null, "op", "'" + spec + "': expected NAME:key=value,...");
        }
        String k = kv.substring(0, eq).trim();
        String v = kv.substring(eq + 1).trim();
        if (v.equals("true") || v.equals("false")) {
          op.put(k, Boolean.parseBoolean(v));
        } else {
          try {
            op.put(k, new BigDecimal(v));
          } catch (NumberFormatException e) {
            op.put(k, v);
          }
        }
      }
    }
    return op;
  }

  /**
   * The op chain of the {@code ops} parameter (a JSON array, first) and the {@code op} parameters (in order).
   *
   * @throws InvalidJobException naming {@code ops} or {@code op} if one is malformed, or {@code op} if there are none
   */
  public static ArrayNode ops(Map<String, List<String>> query) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    String opsJson = first(query, "ops");
    if (opsJson != null) {
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(opsJson);
      } catch (IOException e) {
        throw new InvalidJobException(null, "ops", "is not a JSON array of ops: " + e.getMessage());
      }
      if (node == null || !node.isArray()) {
        throw new InvalidJobException(null, "ops", "must be a JSON array of {\"op\": NAME, ...} objects");
      }
      out.addAll((ArrayNode) node);
    }
    for (String spec : query.getOrDefault("op", List.of())) {
      out.add(op(spec));
    }
    if (out.isEmpty()) {
      throw new InvalidJobException(null, "op", "give at least one op, e.g. ?op=gaussian-blur:sigma=2.5&op=grayscale");
    }
    return out;
  }

  /**
   * The process job of {@code ops} (from {@link #ops}) on {@code input}: its id from the {@code id} parameter, else
   * {@code generatedId}; {@code tileSize} and {@code output} if given.
   *
   * @throws InvalidJobException (field {@code tileSize}) if the tile size is not an integer
   */
  public static ObjectNode process(Map<String, List<String>> query, ArrayNode ops, S3Uri input, String generatedId) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    String id = first(query, "id");
    job.put("id", id != null ? id : generatedId);
    job.put("type", "process");
    job.put("input", input.toString());
    job.set("ops", ops);
    String tileSize = first(query, "tileSize");
    if (tileSize != null) {
      try {
        job.put("tileSize", Integer.parseInt(tileSize));
      } catch (NumberFormatException e) {
        throw new InvalidJobException(id, "tileSize", "must be an integer, got '" + tileSize + "'");
      }
    }
    String output = first(query, "output");
    if (output != null) {
      job.put("output", output);
    }
    return job;
  }

  private static String first(Map<String, List<String>> query, String key) {
    List<String> v = query.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
