package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.Json;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * CLAHE as OpenCV 4.9 computes it ({@code imgproc/src/clahe.cpp}), split into per-tile histogram gathering
 * and per-pixel interpolation so that it runs over the farm's tiles:
 *
 * <ul>
 *   <li>OpenCV cuts the image into {@code grid x grid} cells. Unless both sides divide by the grid, it first
 *       extends the image on the right by {@code grid - width % grid} and at the bottom by {@code grid -
 *       height % grid} columns and rows (both, even when one side divides), reflected (BORDER_REFLECT_101):
 *       {@link #extent}. A pixel therefore counts in its own cell and in the cells of its reflections.
 *   <li>Each cell's histogram is clipped at {@code max(1, (int) (clip * cellArea / 256))}, the excess spread
 *       evenly plus a residual every {@code 256 / residual} bins, and summed into a lookup table scaled by
 *       {@code (float) 255 / cellArea} with round-half-even.
 *   <li>A pixel blends the tables of its four nearest cells bilinearly in single-precision floats, in
 *       exactly OpenCV's order of operations.
 * </ul>
 */
final class Clahe {
  static {
    OpenCv.load();
  }

  private Clahe() {}

  /** {extended width, extended height, cell width, cell height}. */
  static int[] extent(int grid, int w, int h) {
    int we = w;
    int he = h;
    if (w % grid != 0 || h % grid != 0) {
      we = w + grid - w % grid;
      he = h + grid - h % grid;
    }
    return new int[] {we, he, we / grid, he / grid};
  }

  /** OpenCV's borderInterpolate for BORDER_REFLECT_101. */
  static int reflect101(int p, int len) {
    if (len == 1) {
      return 0;
    }
    while (p < 0 || p >= len) {
      p = p < 0 ? -p : 2 * len - 2 - p;
    }
    return p;
  }

  /** For each image coordinate 0..len-1, the extended coordinates that show it (itself and its reflections). */
  private static List<List<Integer>> positions(int len, int extended) {
    List<List<Integer>> out = new ArrayList<>(len);
    for (int i = 0; i < len; i++) {
      List<Integer> l = new ArrayList<>(2);
      l.add(i);
      out.add(l);
    }
    for (int p = len; p < extended; p++) {
      out.get(reflect101(p, len)).add(p);
    }
    return out;
  }

  /** Histograms of the cells that {@code tile}'s pixels (and their reflections) fall in: {cell: [plane hist...]}. */
  static ObjectNode partial(ImageOp.Clahe c, List<Mat> planes, Box tile, int w, int h) {
    int[] e = extent(c.grid(), w, h);
    List<List<Integer>> xs = positions(w, e[0]);
    List<List<Integer>> ys = positions(h, e[1]);
    int cells = c.grid() * c.grid();
    int[][][] hist = new int[cells][][];
    for (int p = 0; p < planes.size(); p++) {
      byte[] data = new byte[tile.width() * tile.height()];
      planes.get(p).get(0, 0, data);
      for (int y = 0; y < tile.height(); y++) {
        for (int x = 0; x < tile.width(); x++) {
          int v = data[y * tile.width() + x] & 0xFF;
          for (int ey : ys.get(tile.y() + y)) {
            for (int ex : xs.get(tile.x() + x)) {
              int cell = (ey / e[3]) * c.grid() + ex / e[2];
              if (hist[cell] == null) {
                hist[cell] = new int[planes.size()][256];
              }
              hist[cell][p][v]++;
            }
          }
        }
      }
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (int cell = 0; cell < cells; cell++) {
      if (hist[cell] != null) {
        ArrayNode a = out.putArray(String.valueOf(cell));
        for (int[] plane : hist[cell]) {
          ArrayNode b = a.addArray();
          for (int v : plane) {
            b.add(v);
          }
        }
      }
    }
    return out;
  }

  /** The lookup tables of every cell and plane, and the cell geometry. */
  record Maps(int grid, int cellWidth, int cellHeight, int[][][] luts) {}

  static Maps maps(ImageOp.Clahe c, JsonNode cells, int w, int h) {
    int[] e = extent(c.grid(), w, h);
    int area = e[2] * e[3];
    int clipLimit = 0;
    if (c.clip() > 0) {
      clipLimit = Math.max((int) (c.clip() * area / 256), 1);
    }
    float lutScale = (float) 255 / area;
    int n = c.grid() * c.grid();
    int planes = cells.get("0").size();
    int[][][] luts = new int[planes][n][256];
    for (int cell = 0; cell < n; cell++) {
      JsonNode histograms = cells.get(String.valueOf(cell));
      if (histograms == null) {
        throw new IllegalStateException("the merged CLAHE statistics have no cell " + cell);
      }
      for (int p = 0; p < planes; p++) {
        int[] hist = WholeImageOps.ints(histograms.get(p));
        if (clipLimit > 0) {
          int clipped = 0;
          for (int i = 0; i < 256; i++) {
            if (hist[i] > clipLimit) {
              clipped += hist[i] - clipLimit;
              hist[i] = clipLimit;
            }
          }
          int batch = clipped / 256;
          int residual = clipped - batch * 256;
          for (int i = 0; i < 256; i++) {
            hist[i] += batch;
          }
          if (residual != 0) {
            int step = Math.max(256 / residual, 1);
            for (int i = 0; i < 256 && residual > 0; i += step, residual--) {
              hist[i]++;
            }
          }
        }
        int sum = 0;
        for (int i = 0; i < 256; i++) {
          sum += hist[i];
          luts[p][cell][i] = saturate(sum * lutScale);
        }
      }
    }
    return new Maps(c.grid(), e[2], e[3], luts);
  }

  private static int saturate(float v) {
    return (int) Math.max(0, Math.min(255, Math.rint(v)));
  }

  /** CLAHE of one plane holding {@code box}, interpolated in the image's absolute coordinates. */
  static Mat apply(Maps maps, int plane, Mat src, Box box) {
    int[][] lut = maps.luts()[plane];
    int tiles = maps.grid();
    float invTw = 1.0f / maps.cellWidth();
    float invTh = 1.0f / maps.cellHeight();
    int[] ind1 = new int[box.width()];
    int[] ind2 = new int[box.width()];
    float[] xa = new float[box.width()];
    float[] xa1 = new float[box.width()];
    for (int i = 0; i < box.width(); i++) {
      int x = box.x() + i;
      float txf = x * invTw - 0.5f;
      int tx1 = (int) Math.floor(txf);
      int tx2 = tx1 + 1;
      xa[i] = txf - tx1;
      xa1[i] = 1.0f - xa[i];
      ind1[i] = Math.max(tx1, 0);
      ind2[i] = Math.min(tx2, tiles - 1);
    }
    byte[] in = new byte[box.width() * box.height()];
    src.get(0, 0, in);
    byte[] out = new byte[in.length];
    for (int j = 0; j < box.height(); j++) {
      int y = box.y() + j;
      float tyf = y * invTh - 0.5f;
      int ty1 = (int) Math.floor(tyf);
      int ty2 = ty1 + 1;
      float ya = tyf - ty1;
      float ya1 = 1.0f - ya;
      ty1 = Math.max(ty1, 0);
      ty2 = Math.min(ty2, tiles - 1);
      for (int i = 0; i < box.width(); i++) {
        int v = in[j * box.width() + i] & 0xFF;
        int[] l11 = lut[ty1 * tiles + ind1[i]];
        int[] l12 = lut[ty1 * tiles + ind2[i]];
        int[] l21 = lut[ty2 * tiles + ind1[i]];
        int[] l22 = lut[ty2 * tiles + ind2[i]];
        float res = (l11[v] * xa1[i] + l12[v] * xa[i]) * ya1 + (l21[v] * xa1[i] + l22[v] * xa[i]) * ya;
        out[j * box.width() + i] = (byte) saturate(res);
      }
    }
    Mat dst = new Mat(box.height(), box.width(), CvType.CV_8U);
    dst.put(0, 0, out);
    return dst;
  }
}
