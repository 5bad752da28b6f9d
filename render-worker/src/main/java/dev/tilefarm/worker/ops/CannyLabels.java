package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.TileRect;
import java.util.function.Function;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/**
 * Canny's edge candidates in one tile of the statistics grid, labelled as 8-connected components.
 *
 * <p>{@code Canny(low, high)} keeps the candidates (local gradient maxima above {@code low}) that are
 * 8-connected through candidates to a strong one (above {@code high}): its hysteresis is a flood fill. So the
 * whole image's edges are the components of the candidate set that hold a strong pixel. The candidates are
 * local: OpenCV's own {@code Canny(low, low)} on the tile plus a halo of the Sobel aperture and one pixel
 * gives them exactly (every candidate is then strong, so hysteresis keeps them all), and {@code Canny(high,
 * high)} the strong ones. Components are labelled here, in raster order of their first pixel, so that the
 * statistics pass and the drawing pass label a tile alike.
 *
 * <p>Only the candidates are kept (their pixel indices in raster order, and their labels): they are a small part
 * of a tile, so a worker can keep a pass's labels for the drawing pass ({@link CannyLabelCache}).
 */
final class CannyLabels {
  /** The neighbours labelled before a pixel in raster order: left, up-left, up, up-right. */
  private static final int[][] BEFORE = {{-1, 0}, {-1, -1}, {0, -1}, {1, -1}};

  private final int width;
  private final int height;
  /** Raster indices of the candidates in the tile, ascending. */
  private final int[] at;
  /** The label of each candidate in {@link #at}, from 1. */
  private final int[] labels;
  private final boolean[] strong;

  private CannyLabels(int width, int height, int[] at, int[] labels, boolean[] strong) {
    this.width = width;
    this.height = height;
    this.at = at;
    this.labels = labels;
    this.strong = strong;
  }

  /** The labels of {@code tile}; {@code src} holds {@code box}, which contains the tile grown by the candidate halo. */
  static CannyLabels of(ImageOp.Canny c, Mat src, Box box, Box tile, int imageWidth, int imageHeight) {
    Box region = tile.grow(c.candidateHalo(), imageWidth, imageHeight);
    Mat sub = OpChain.crop(src.clone(), box, region);
    Mat candidates = new Mat();
    Mat strongEdges = new Mat();
    try {
      Imgproc.Canny(sub, candidates, c.low(), c.low(), c.aperture(), c.l2());
      Imgproc.Canny(sub, strongEdges, c.high(), c.high(), c.aperture(), c.l2());
      byte[] cand = pixels(OpChain.crop(candidates.clone(), region, tile));
      byte[] str = pixels(OpChain.crop(strongEdges.clone(), region, tile));
      return label(tile.width(), tile.height(), cand, str);
    } finally {
      sub.release();
      candidates.release();
      strongEdges.release();
    }
  }

  private static byte[] pixels(Mat m) {
    byte[] b = new byte[(int) m.total()];
    m.get(0, 0, b);
    m.release();
    return b;
  }

  /** Two-pass union-find labelling, 8-connected; labels from 1 in raster order of first appearance. */
  static CannyLabels label(int w, int h, byte[] candidate, byte[] strongPixel) {
    int[] parent = new int[w * h + 1];
    int[] provisional = new int[w * h];
    int next = 1;
    int candidates = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        if (candidate[i] == 0) {
          continue;
        }
        candidates++;
        int label = 0;
        for (int[] d : BEFORE) {
          int nx = x + d[0];
          int ny = y + d[1];
          if (nx < 0 || ny < 0 || nx >= w) {
            continue;
          }
          int n = provisional[ny * w + nx];
          if (n == 0) {
            continue;
          }
          if (label == 0) {
            label = find(parent, n);
          } else {
            int a = find(parent, label);
            int b = find(parent, n);
            if (a != b) {
              parent[Math.max(a, b)] = Math.min(a, b);
              label = Math.min(a, b);
            }
          }
        }
        if (label == 0) {
          label = next;
          parent[next] = next;
          next++;
        }
        provisional[i] = label;
      }
    }
    int[] finalOf = new int[next];
    int count = 0;
    int[] at = new int[candidates];
    int[] labels = new int[candidates];
    for (int i = 0, k = 0; i < provisional.length; i++) {
      if (provisional[i] == 0) {
        continue;
      }
      int root = find(parent, provisional[i]);
      if (finalOf[root] == 0) {
        finalOf[root] = ++count;
      }
      at[k] = i;
      labels[k++] = finalOf[root];
    }
    boolean[] strong = new boolean[count + 1];
    for (int k = 0; k < at.length; k++) {
      if (strongPixel[at[k]] != 0) {
        strong[labels[k]] = true;
      }
    }
    return new CannyLabels(w, h, at, labels, strong);
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** What this object holds on the heap, roughly: what a cache of labels counts. */
  long bytes() {
    return 64L + 8L * at.length + strong.length;
  }

  /** Which labels are edges, given the labels the merge found connected to a strong pixel anywhere. */
  boolean[] lit(int[] on) {
    boolean[] lit = strong.clone();
    for (int l : on) {
      if (l > 0 && l < lit.length) {
        lit[l] = true;
      }
    }
    return lit;
  }

  /**
   * Canny's output over {@code out} of a {@code w x h} image: 255 where a candidate's label is lit, 0 elsewhere.
   * {@code labelsOf} gives the labels of each tile of the statistics grid (side {@code tileSize}) that {@code
   * out} touches; {@code on} is the merged statistics' "on" array, one per grid tile. Returns null as soon as
   * {@code labelsOf} does.
   */
  static Mat draw(int w, int h, int tileSize, Box out, com.fasterxml.jackson.databind.JsonNode on,
      Function<Box, CannyLabels> labelsOf) {
    byte[] pixels = new byte[out.width() * out.height()];
    for (TileRect t : ChainPlan.grid(w, h, tileSize)) {
      Box tb = Box.of(t);
      if (!tb.intersects(out)) {
        continue;
      }
      CannyLabels labels = labelsOf.apply(tb);
      if (labels == null) {
        return null;
      }
      labels.drawInto(labels.lit(WholeImageOps.ints(on.get(t.index()))), tb, out, pixels);
    }
    Mat dst = new Mat(out.height(), out.width(), CvType.CV_8U);
    dst.put(0, 0, pixels);
    return dst;
  }

  /** Sets the lit candidates of this tile (at {@code tile} in the image) that fall in {@code out} to 255. */
  private void drawInto(boolean[] lit, Box tile, Box out, byte[] pixels) {
    for (int k = 0; k < at.length; k++) {
      if (!lit[labels[k]]) {
        continue;
      }
      int x = tile.x() + at[k] % width;
      int y = tile.y() + at[k] / width;
      if (x >= out.x() && x < out.right() && y >= out.y() && y < out.bottom()) {
        pixels[(y - out.y()) * out.width() + (x - out.x())] = (byte) 255;
      }
    }
  }

  /** The partial statistics: label count, strong labels, and the labels along the four borders. */
  void describe(ObjectNode out) {
    int[] top = new int[width];
    int[] bottom = new int[width];
    int[] left = new int[height];
    int[] right = new int[height];
    for (int k = 0; k < at.length; k++) {
      int x = at[k] % width;
      int y = at[k] / width;
      if (y == 0) {
        top[x] = labels[k];
      }
      if (y == height - 1) {
        bottom[x] = labels[k];
      }
      if (x == 0) {
        left[y] = labels[k];
      }
      if (x == width - 1) {
        right[y] = labels[k];
      }
    }
    out.put("width", width);
    out.put("height", height);
    out.put("labels", strong.length - 1);
    ArrayNode s = out.putArray("strong");
    for (int l = 1; l < strong.length; l++) {
      if (strong[l]) {
        s.add(l);
      }
    }
    add(out.putArray("top"), top);
    add(out.putArray("bottom"), bottom);
    add(out.putArray("left"), left);
    add(out.putArray("right"), right);
  }

  private static void add(ArrayNode array, int[] values) {
    for (int v : values) {
      array.add(v);
    }
  }
}
