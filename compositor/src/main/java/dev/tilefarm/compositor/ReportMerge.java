package dev.tilefarm.compositor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the tiles' partial analysis results into a job's report ({@code report.schema.json}). Histograms and
 * colour counts are exact counts, so their sums are the whole image's. Faces are reported by the tile that
 * holds their centre; a face a neighbouring tile also saw (a detection's rectangle varies a little with the
 * context) is merged into one when the two overlap by more than {@link #SAME_FACE} of the smaller.
 */
final class ReportMerge {
  static final double SAME_FACE = 0.3;

  private ReportMerge() {}

  /** One entry per analysis op, in chain order, from the tiles' partials ({@code {"analyses": [...]}} each). */
  static ObjectNode merge(List<JsonNode> partials) {
    Map<Integer, List<JsonNode>> byOp = new TreeMap<>();
    for (JsonNode p : partials) {
      for (JsonNode a : p.get("analyses")) {
        byOp.computeIfAbsent(a.get("index").asInt(), k -> new ArrayList<>()).add(a);
      }
    }
    ObjectNode report = Json.MAPPER.createObjectNode();
    ArrayNode analyses = report.putArray("analyses");
    byOp.forEach((index, parts) -> {
      String op = parts.get(0).get("op").asText();
      ObjectNode out = analyses.addObject();
      out.put("op", op);
      out.put("index", index);
      switch (op) {
        case "histogram" -> histogram(parts, out);
        case "dominant-colors" -> dominant(parts, out);
        case "detect-faces" -> faces(parts, out);
        default -> throw new IllegalArgumentException("no merge for analysis op " + op);
      }
    });
    return report;
  }

  private static void histogram(List<JsonNode> parts, ObjectNode out) {
    long[][] sum = null;
    for (JsonNode p : parts) {
      JsonNode counts = p.get("counts");
      if (sum == null) {
        sum = new long[counts.size()][counts.get(0).size()];
      }
      for (int c = 0; c < sum.length; c++) {
        for (int i = 0; i < sum[c].length; i++) {
          sum[c][i] += counts.get(c).get(i).asLong();
        }
      }
    }
    out.put("bins", sum[0].length);
    String[] names = sum.length == 1 ? new String[] {"grey"} : sum.length == 3 ? new String[] {"red", "green", "blue"}
        : new String[] {"red", "green", "blue", "alpha"};
    ObjectNode channels = out.putObject("channels");
    for (int c = 0; c < sum.length; c++) {
      ArrayNode a = channels.putArray(names[c]);
      for (long v : sum[c]) {
        a.add(v);
      }
    }
  }

  private static void dominant(List<JsonNode> parts, ObjectNode out) {
    Map<String, long[]> cells = new TreeMap<>();
    long total = 0;
    for (JsonNode p : parts) {
      for (Iterator<Map.Entry<String, JsonNode>> it = p.get("cells").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        long[] s = cells.computeIfAbsent(e.getKey(), k -> new long[4]);
        for (int i = 0; i < 4; i++) {
          s[i] += e.getValue().get(i).asLong();
        }
        total += e.getValue().get(0).asLong();
      }
    }
    List<long[]> sorted = new ArrayList<>(cells.values());
    // Most pixels first; ties by colour, so that the report does not depend on the order tiles came in.
    sorted.sort((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0])
        : Long.compare(a[1] * 65536 + a[2] * 256 + a[3], b[1] * 65536 + b[2] * 256 + b[3]));
    ArrayNode colors = out.putArray("colors");
    int count = parts.get(0).has("count") ? parts.get(0).get("count").asInt() : 5;
    for (long[] s : sorted.subList(0, Math.min(count, sorted.size()))) {
      int r = (int) Math.round((double) s[1] / s[0]);
      int g = (int) Math.round((double) s[2] / s[0]);
      int b = (int) Math.round((double) s[3] / s[0]);
      ObjectNode c = colors.addObject();
      c.putArray("rgb").add(r).add(g).add(b);
      c.put("hex", String.format("#%02x%02x%02x", r, g, b));
      c.put("pixels", s[0]);
      c.put("share", (double) s[0] / total);
    }
  }

  private static void faces(List<JsonNode> parts, ObjectNode out) {
    List<int[]> all = new ArrayList<>();
    for (JsonNode p : parts) {
      for (JsonNode f : p.get("faces")) {
        all.add(new int[] {f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), f.get(3).asInt()});
      }
    }
    all.sort((a, b) -> a[1] != b[1] ? Integer.compare(a[1], b[1]) : Integer.compare(a[0], b[0]));
    List<int[]> kept = new ArrayList<>();
    for (int[] f : all) {
      boolean duplicate = false;
      for (int[] k : kept) {
        if (overlap(f, k) > SAME_FACE) {
          duplicate = true;
          break;
        }
      }
      if (!duplicate) {
        kept.add(f);
      }
    }
    out.put("count", kept.size());
    ArrayNode faces = out.putArray("faces");
    for (int[] f : kept) {
      faces.addObject().put("x", f[0]).put("y", f[1]).put("width", f[2]).put("height", f[3]);
    }
  }

  /** Intersection over the smaller rectangle's area. */
  static double overlap(int[] a, int[] b) {
    int x0 = Math.max(a[0], b[0]);
    int y0 = Math.max(a[1], b[1]);
    int x1 = Math.min(a[0] + a[2], b[0] + b[2]);
    int y1 = Math.min(a[1] + a[3], b[1] + b[3]);
    if (x1 <= x0 || y1 <= y0) {
      return 0;
    }
    double inter = (double) (x1 - x0) * (y1 - y0);
    return inter / Math.min((double) a[2] * a[3], (double) b[2] * b[3]);
  }
}
