package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/**
 * The short form of an image operation, {@code NAME[:key=value,...]}, as the CLI's {@code --op} and the HTTP API's
 * {@code op} parameter take it (e.g. {@code gaussian-blur:sigma=2}).
 */
public final class OpSpec {
  private OpSpec() {}

  /**
   * {@code NAME[:k=v,...]} to {@code {"op": NAME, k: v, ...}}; numbers and booleans become JSON numbers and
   * booleans, anything else a string. Whether the op and its parameters exist is the op chain's to check.
   *
   * @throws IllegalArgumentException "expected NAME:key=value,..." if a pair has no key
   */
  public static ObjectNode parse(String spec) {
    int colon = spec.indexOf(':');
    ObjectNode op = Json.MAPPER.createObjectNode();
    op.put("op", colon < 0 ? spec : spec.substring(0, colon));
    if (colon >= 0 && colon < spec.length() - 1) {
      for (String kv : spec.substring(colon + 1).split(",")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("expected NAME:key=value,...");
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
}
