package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.Json;
import java.util.Map;
import java.util.TreeMap;
import org.opencv.core.Mat;
import org.opencv.core.Rect;

/**
 * A tile's partial result of an analysis op, over the pixels the tile owns ({@code owned}: its own box, not
 * its halo), in exact counts so that the compositor's merge ({@code ReportMerge}) loses nothing. Channels are
 * reported in the image's order (R, G, B, A), not OpenCV's.
 */
final class Analysis {
  static {
    OpenCv.load();
  }

  private static volatile FaceDetector faces = new FaceDetector(FaceDetector.DEFAULT_DIR);

  private Analysis() {}

  /** Where detect-faces looks for OpenCV's cascade files. */
  static void cascadeDir(java.nio.file.Path dir) {
    faces = new FaceDetector(dir);
  }

  static ObjectNode partial(int index, ImageOp.Analysis op, Mat src, Box box, Box owned) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("index", index);
    out.put("op", op.name());
    switch (op) {
      case ImageOp.DetectFaces f -> detectFaces(f, src, box, owned, out);
      case ImageOp.Histogram h -> histogram(h, new Owned(src, box, owned), out);
      case ImageOp.DominantColors d -> dominantColors(d, new Owned(src, box, owned), out);
    }
    return out;
  }

  private static void detectFaces(ImageOp.DetectFaces f, Mat src, Box box, Box owned, ObjectNode out) {
    ArrayNode found = out.putArray("faces");
    for (Rect r : faces.detect(f, src)) {
      int x = box.x() + r.x;
      int y = box.y() + r.y;
      // A face belongs to the tile holding its centre: each is reported by one tile, whose box (grown by
      // the largest face size) holds the whole face.
      int cx = x + r.width / 2;
      int cy = y + r.height / 2;
      if (cx >= owned.x() && cx < owned.right() && cy >= owned.y() && cy < owned.bottom()) {
        found.addArray().add(x).add(y).add(r.width).add(r.height);
      }
    }
  }

  /**
   * The samples of the pixels a tile owns, row by row, and where each channel's sample is in a pixel: R, G, B
   * (and A) for colour, which OpenCV holds in B, G, R order.
   */
  private record Owned(byte[] px, int cn, int[] order) {
    Owned(Mat src, Box box, Box owned) {
      this(samples(src, box, owned), src.channels(), order(src.channels()));
    }

    private static byte[] samples(Mat src, Box box, Box owned) {
      Mat core = OpChain.crop(src.clone(), box, owned);
      byte[] px = new byte[(int) core.total() * core.channels()];
      core.get(0, 0, px);
      core.release();
      return px;
    }

    private static int[] order(int cn) {
      return cn == 1 ? new int[] {0} : cn == 3 ? new int[] {2, 1, 0} : new int[] {2, 1, 0, 3};
    }
  }

  private static void histogram(ImageOp.Histogram h, Owned pixels, ObjectNode out) {
    byte[] px = pixels.px();
    int cn = pixels.cn();
    int[] order = pixels.order();
    int shift = Integer.numberOfTrailingZeros(256 / h.bins());
    long[][] counts = new long[cn][h.bins()];
    for (int i = 0; i < px.length; i += cn) {
      for (int c = 0; c < cn; c++) {
        counts[c][(px[i + order[c]] & 0xFF) >> shift]++;
      }
    }
    out.put("bins", h.bins());
    ArrayNode a = out.putArray("counts");
    for (long[] channel : counts) {
      ArrayNode b = a.addArray();
      for (long v : channel) {
        b.add(v);
      }
    }
  }

  private static void dominantColors(ImageOp.DominantColors d, Owned pixels, ObjectNode out) {
    byte[] px = pixels.px();
    int cn = pixels.cn();
    int[] order = pixels.order();
    int shift = Integer.numberOfTrailingZeros(256 / d.levels());
    // cell -> {pixels, sum R, sum G, sum B}; alpha is not a colour, grey counts as R = G = B.
    Map<Integer, long[]> cells = new TreeMap<>();
    for (int i = 0; i < px.length; i += cn) {
      int r = px[i + order[0]] & 0xFF;
      int g = cn == 1 ? r : px[i + order[1]] & 0xFF;
      int b = cn == 1 ? r : px[i + order[2]] & 0xFF;
      int cell = ((r >> shift) * d.levels() + (g >> shift)) * d.levels() + (b >> shift);
      long[] s = cells.computeIfAbsent(cell, k -> new long[4]);
      s[0]++;
      s[1] += r;
      s[2] += g;
      s[3] += b;
    }
    out.put("count", d.count());
    ObjectNode c = out.putObject("cells");
    cells.forEach((cell, s) -> c.putArray(String.valueOf(cell)).add(s[0]).add(s[1]).add(s[2]).add(s[3]));
  }

  /** Whether OpenCV's cascades are where detect-faces looks for them (tests skip face detection without them). */
  static boolean cascadesAvailable(ImageOp.DetectFaces f) {
    return faces.available(f);
  }
}
