package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
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
 */
final class CannyLabels {
  private final int width;
  private final int height;
  private final int[] labels;
  private final boolean[] strong;

  private CannyLabels(int width, int height, int[] labels, boolean[] strong) {
    this.width = width;
    this.height = height;
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
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        if (candidate[i] == 0) {
          continue;
        }
        int label = 0;
        int[][] around = {{-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
        for (int[] d : around) {
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
    int[] labels = new int[w * h];
    for (int i = 0; i < labels.length; i++) {
      if (provisional[i] == 0) {
        continue;
      }
      int root = find(parent, provisional[i]);
      if (finalOf[root] == 0) {
        finalOf[root] = ++count;
      }
      labels[i] = finalOf[root];
    }
    boolean[] strong = new boolean[count + 1];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] > 0 && strongPixel[i] != 0) {
        strong[labels[i]] = true;
      }
    }
    return new CannyLabels(w, h, labels, strong);
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  int label(int x, int y) {
    return labels[y * width + x];
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

  /** The partial statistics: label count, strong labels, and the labels along the four borders. */
  void describe(ObjectNode out) {
    out.put("width", width);
    out.put("height", height);
    out.put("labels", strong.length - 1);
    ArrayNode s = out.putArray("strong");
    for (int l = 1; l < strong.length; l++) {
      if (strong[l]) {
        s.add(l);
      }
    }
    ArrayNode top = out.putArray("top");
    ArrayNode bottom = out.putArray("bottom");
    for (int x = 0; x < width; x++) {
      top.add(label(x, 0));
      bottom.add(label(x, height - 1));
    }
    ArrayNode left = out.putArray("left");
    ArrayNode right = out.putArray("right");
    for (int y = 0; y < height; y++) {
      left.add(label(0, y));
      right.add(label(width - 1, y));
    }
  }
}
