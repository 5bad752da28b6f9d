package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The statistics of whole-image ops: how per-tile partials (JSON objects written by workers) merge into one
 * (written by the compositor, read by the next pass's workers), and the arithmetic OpenCV does on a whole
 * image's statistics, reproduced operation for operation so that tiles equal the whole-image call.
 *
 * <p>Forms, per op: equalize-hist and otsu-threshold {@code {"hist": [[256 counts] per plane]}} (otsu: one
 * grey plane); normalize {@code {"min", "max"}}; clahe {@code {"cells": {"cell": [[256] per plane]}}}; canny
 * partial {@code {"width", "height", "labels", "strong", "top", "bottom", "left", "right"}} (a tile's edge
 * candidate labels along its borders), merged {@code {"on": [[labels] per tile]}}: the labels of each tile
 * that belong to an edge somewhere in the image.
 */
public final class StatsMerge {
  private StatsMerge() {}

  /** Merges the partials of one pass, {@code partials.get(i)} being tile {@code tiles.get(i)}'s. */
  public static ObjectNode merge(ImageOp.WholeImage op, List<TileRect> tiles, List<JsonNode> partials) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    switch (op) {
      case ImageOp.EqualizeHist e -> out.set("hist", sumArrays(partials, p -> p.get("hist")));
      case ImageOp.OtsuThreshold t -> out.set("hist", sumArrays(partials, p -> p.get("hist")));
      case ImageOp.Normalize n -> {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (JsonNode p : partials) {
          min = Math.min(min, p.get("min").asInt());
          max = Math.max(max, p.get("max").asInt());
        }
        out.put("min", min);
        out.put("max", max);
      }
      case ImageOp.Clahe c -> {
        ObjectNode cells = out.putObject("cells");
        Map<String, int[][]> sums = new java.util.TreeMap<>();
        for (JsonNode p : partials) {
          for (Iterator<Map.Entry<String, JsonNode>> it = p.get("cells").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int[][] sum = sums.computeIfAbsent(e.getKey(), k -> new int[e.getValue().size()][256]);
            for (int plane = 0; plane < sum.length; plane++) {
              for (int i = 0; i < 256; i++) {
                sum[plane][i] += e.getValue().get(plane).get(i).asInt();
              }
            }
          }
        }
        sums.forEach((cell, sum) -> {
          ArrayNode a = cells.putArray(cell);
          for (int[] plane : sum) {
            ArrayNode b = a.addArray();
            for (int v : plane) {
              b.add(v);
            }
          }
        });
      }
      case ImageOp.Canny c -> out.set("on", canny(tiles, partials));
    }
    return out;
  }

  private static ArrayNode sumArrays(List<JsonNode> partials, java.util.function.Function<JsonNode, JsonNode> get) {
    long[][] sum = null;
    for (JsonNode p : partials) {
      JsonNode planes = get.apply(p);
      if (sum == null) {
        sum = new long[planes.size()][256];
      }
      for (int c = 0; c < sum.length; c++) {
        for (int i = 0; i < 256; i++) {
          sum[c][i] += planes.get(c).get(i).asLong();
        }
      }
    }
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (long[] plane : sum) {
      ArrayNode a = out.addArray();
      for (long v : plane) {
        a.add(v);
      }
    }
    return out;
  }

  /**
   * Joins the tiles' edge candidate components across tile borders (8-connected, as Canny's hysteresis
   * follows them) with union-find, and lists per tile the labels whose joined component holds a strong pixel.
   */
  private static ArrayNode canny(List<TileRect> tiles, List<JsonNode> partials) {
    int[] offset = new int[tiles.size() + 1];
    for (int t = 0; t < tiles.size(); t++) {
      offset[t + 1] = offset[t] + partials.get(t).get("labels").asInt() + 1;
    }
    int[] parent = new int[offset[tiles.size()]];
    boolean[] strong = new boolean[parent.length];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    Map<Long, Integer> border = new HashMap<>();
    for (int t = 0; t < tiles.size(); t++) {
      TileRect r = tiles.get(t);
      JsonNode p = partials.get(t);
      for (JsonNode s : p.get("strong")) {
        strong[offset[t] + s.asInt()] = true;
      }
      forEachBorderPixel(r, p, (x, y, label) -> border.put(key(x, y), offset[tiles.indexOf(r)] + label));
    }
    for (int t = 0; t < tiles.size(); t++) {
      TileRect r = tiles.get(t);
      int base = offset[t];
      forEachBorderPixel(r, partials.get(t), (x, y, label) -> {
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int nx = x + dx;
            int ny = y + dy;
            boolean inside = nx >= r.x() && ny >= r.y() && nx < r.x() + r.width() && ny < r.y() + r.height();
            Integer other = inside ? null : border.get(key(nx, ny));
            if (other != null) {
              union(parent, base + label, other);
            }
          }
        }
      });
    }
    boolean[] rootStrong = new boolean[parent.length];
    for (int i = 0; i < parent.length; i++) {
      if (strong[i]) {
        rootStrong[find(parent, i)] = true;
      }
    }
    ArrayNode on = Json.MAPPER.createArrayNode();
    for (int t = 0; t < tiles.size(); t++) {
      ArrayNode labels = on.addArray();
      int n = partials.get(t).get("labels").asInt();
      for (int l = 1; l <= n; l++) {
        if (rootStrong[find(parent, offset[t] + l)]) {
          labels.add(l);
        }
      }
    }
    return on;
  }

  private interface BorderPixel {
    void at(int x, int y, int label);
  }

  private static void forEachBorderPixel(TileRect r, JsonNode p, BorderPixel f) {
    for (int i = 0; i < r.width(); i++) {
      int top = p.get("top").get(i).asInt();
      int bottom = p.get("bottom").get(i).asInt();
      if (top > 0) {
        f.at(r.x() + i, r.y(), top);
      }
      if (bottom > 0) {
        f.at(r.x() + i, r.y() + r.height() - 1, bottom);
      }
    }
    for (int i = 0; i < r.height(); i++) {
      int left = p.get("left").get(i).asInt();
      int right = p.get("right").get(i).asInt();
      if (left > 0) {
        f.at(r.x(), r.y() + i, left);
      }
      if (right > 0) {
        f.at(r.x() + r.width() - 1, r.y() + i, right);
      }
    }
  }

  private static long key(int x, int y) {
    return ((long) x << 32) | (y & 0xFFFFFFFFL);
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /**
   * {@code cv::equalizeHist}'s table from a histogram: the first non-empty bin maps to 0, the rest by the
   * cumulative count scaled by {@code (float) 255 / (total - first)}, rounded half to even; an image of one
   * value maps to itself.
   */
  public static int[] equalizeLut(int[] hist) {
    int[] lut = new int[256];
    int i = 0;
    long total = 0;
    for (int v : hist) {
      total += v;
    }
    while (i < 255 && hist[i] == 0) {
      i++;
    }
    if (hist[i] == total) {
      java.util.Arrays.fill(lut, i);
      return lut;
    }
    float scale = (256 - 1.f) / (total - hist[i]);
    int sum = 0;
    for (lut[i++] = 0; i < 256; ++i) {
      sum += hist[i];
      lut[i] = (int) Math.max(0, Math.min(255, Math.rint(sum * scale)));
    }
    return lut;
  }

  /** Otsu's threshold from a 256-bin histogram, in the order of operations of OpenCV's getThreshVal_Otsu_8u. */
  public static int otsu(int[] h) {
    long total = 0;
    for (int v : h) {
      total += v;
    }
    double mu = 0;
    double scale = 1. / total;
    for (int i = 0; i < 256; i++) {
      mu += i * (double) h[i];
    }
    mu *= scale;
    double mu1 = 0;
    double q1 = 0;
    double maxSigma = 0;
    double maxVal = 0;
    for (int i = 0; i < 256; i++) {
      double pi = h[i] * scale;
      mu1 *= q1;
      q1 += pi;
      double q2 = 1. - q1;
      if (Math.min(q1, q2) < 1.1920929e-07 || Math.max(q1, q2) > 1. - 1.1920929e-07) {
        continue;
      }
      mu1 = (mu1 + i * pi) / q1;
      double mu2 = (mu - q1 * mu1) / q2;
      double sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
      if (sigma > maxSigma) {
        maxSigma = sigma;
        maxVal = i;
      }
    }
    return (int) maxVal;
  }
}
