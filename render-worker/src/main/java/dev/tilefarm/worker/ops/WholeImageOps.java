package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.StatsMerge;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/**
 * The two halves of each whole-image op: {@link #partial} (a tile's statistics, in the statistics pass) and
 * {@link #apply} (the op with the merged statistics, in a later pass). The statistics' JSON forms and their
 * merging are in {@link StatsMerge}; what is computed from merged statistics here reproduces OpenCV's own
 * computation on the whole image (its lookup tables, Otsu's threshold, CLAHE's tile maps and interpolation),
 * so that the tiles equal the whole-image call.
 */
final class WholeImageOps {
  static {
    OpenCv.load();
  }

  private WholeImageOps() {}

  /** Context the statistics of {@code op} need around a tile (Canny's candidates look at neighbours). */
  static int statsHalo(ImageOp.WholeImage op) {
    return switch (op) {
      case ImageOp.Canny c -> c.candidateHalo();
      case ImageOp.EqualizeHist e -> 0;
      case ImageOp.OtsuThreshold t -> 0;
      case ImageOp.Normalize n -> 0;
      case ImageOp.Clahe c -> 0;
    };
  }

  /**
   * The partial statistics of {@code tile} (a box of the image at the op's input, {@code w x h}); {@code src}
   * holds {@code box}, which contains {@code tile} grown by {@link #statsHalo}. Canny's labels of the tile also go
   * to {@code labelsMade}.
   */
  static ObjectNode partial(ImageOp.WholeImage op, Mat src, Box box, Box tile, int w, int h,
      java.util.function.Consumer<CannyLabels> labelsMade) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    switch (op) {
      case ImageOp.EqualizeHist e -> onTile(src, box, tile, core -> out.set("hist", histograms(colourPlanes(core))));
      case ImageOp.OtsuThreshold t ->
          onTile(src, box, tile, core -> out.set("hist", histograms(List.of(OpChain.grey(core)))));
      case ImageOp.Normalize n -> onTile(src, box, tile, core -> {
        Core.MinMaxLocResult mm = Core.minMaxLoc(core.reshape(1));
        out.put("min", (int) mm.minVal);
        out.put("max", (int) mm.maxVal);
      });
      case ImageOp.Clahe c ->
          onTile(src, box, tile, core -> out.set("cells", Clahe.partial(c, colourPlanes(core), tile, w, h)));
      case ImageOp.Canny c -> {
        CannyLabels labels = CannyLabels.of(c, src, box, tile, w, h);
        labelsMade.accept(labels);
        labels.describe(out);
      }
    }
    return out;
  }

  /** {@code f} on a copy of the pixels of {@code tile}, cut from {@code src} (which holds {@code box}). */
  private static void onTile(Mat src, Box box, Box tile, java.util.function.Consumer<Mat> f) {
    Mat core = OpChain.crop(src.clone(), box, tile);
    try {
      f.accept(core);
    } finally {
      core.release();
    }
  }

  /**
   * {@code op} with its merged statistics on {@code src} (box {@code box} of a {@code w x h} image), cut to
   * {@code out}.
   */
  static Mat apply(ImageOp.WholeImage op, Mat src, Box box, int w, int h, Box out, MergedStats.Pass stats,
      int tileSize) {
    return switch (op) {
      case ImageOp.EqualizeHist e -> equalize(src, box, out, stats);
      case ImageOp.OtsuThreshold t -> otsu(t, src, box, out, stats);
      case ImageOp.Normalize n -> normalize(n, src, box, out, stats);
      case ImageOp.Clahe c -> clahe(c, src, box, w, h, out, stats);
      case ImageOp.Canny c -> canny(c, src, box, w, h, out, stats, tileSize);
    };
  }

  private static Mat equalize(Mat src, Box box, Box out, MergedStats.Pass stats) {
    List<Mat> luts = stats.derived("equalize", json -> {
      List<Mat> l = new ArrayList<>();
      for (JsonNode hist : json.get("hist")) {
        l.add(lut(StatsMerge.equalizeLut(ints(hist))));
      }
      return l;
    });
    int[] channel = {0};
    Mat dst = OpChain.onColour(src, c -> perPlane(c, plane -> {
      Mat d = new Mat();
      Core.LUT(plane, luts.get(channel[0]++), d);
      return d;
    }));
    return OpChain.crop(dst, box, out);
  }

  private static Mat otsu(ImageOp.OtsuThreshold t, Mat src, Box box, Box out, MergedStats.Pass stats) {
    int threshold = stats.derived("otsu", json -> StatsMerge.otsu(ints(json.get("hist").get(0))));
    Mat grey = OpChain.grey(src);
    Mat dst = new Mat();
    Imgproc.threshold(grey, dst, threshold, t.max(), t.inverted() ? Imgproc.THRESH_BINARY_INV : Imgproc.THRESH_BINARY);
    if (grey != src) {
      grey.release();
    }
    return OpChain.crop(dst, box, out);
  }

  private static Mat normalize(ImageOp.Normalize n, Mat src, Box box, Box out, MergedStats.Pass stats) {
    // cv::normalize with NORM_MINMAX: scale and shift from the smallest and largest sample, then convertTo.
    double smin = stats.json().get("min").asDouble();
    double smax = stats.json().get("max").asDouble();
    double dmin = Math.min(n.min(), n.max());
    double dmax = Math.max(n.min(), n.max());
    double scale = (dmax - dmin) * (smax - smin > 2.220446049250313e-16 ? 1. / (smax - smin) : 0);
    double shift = dmin - smin * scale;
    Mat dst = new Mat();
    src.convertTo(dst, -1, scale, shift);
    return OpChain.crop(dst, box, out);
  }

  private static Mat clahe(ImageOp.Clahe c, Mat src, Box box, int w, int h, Box out, MergedStats.Pass stats) {
    Clahe.Maps maps = stats.derived("clahe", json -> Clahe.maps(c, json.get("cells"), w, h));
    int[] channel = {0};
    Mat dst = OpChain.onColour(src, col -> perPlane(col, plane -> Clahe.apply(maps, channel[0]++, plane, box)));
    return OpChain.crop(dst, box, out);
  }

  private static Mat canny(ImageOp.Canny c, Mat src, Box box, int w, int h, Box out, MergedStats.Pass stats,
      int tileSize) {
    return CannyLabels.draw(w, h, tileSize, out, stats.json().get("on"), tb -> CannyLabels.of(c, src, box, tb, w, h));
  }

  /** Grey as it is, colour as B, G, R planes (the alpha of BGRA left out). */
  private static List<Mat> colourPlanes(Mat m) {
    List<Mat> planes = new ArrayList<>();
    Core.split(m, planes);
    if (planes.size() == 4) {
      planes.remove(3).release();
    }
    return planes;
  }

  private static Mat perPlane(Mat src, java.util.function.Function<Mat, Mat> f) {
    if (src.channels() == 1) {
      return f.apply(src);
    }
    List<Mat> planes = new ArrayList<>();
    Core.split(src, planes);
    List<Mat> done = new ArrayList<>();
    for (Mat p : planes) {
      done.add(f.apply(p));
    }
    Mat dst = new Mat();
    Core.merge(done, dst);
    planes.forEach(Mat::release);
    done.forEach(Mat::release);
    return dst;
  }

  private static ArrayNode histograms(List<Mat> planes) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Mat p : planes) {
      int[] hist = new int[256];
      byte[] data = new byte[(int) p.total()];
      p.get(0, 0, data);
      for (byte b : data) {
        hist[b & 0xFF]++;
      }
      ArrayNode a = out.addArray();
      for (int v : hist) {
        a.add(v);
      }
    }
    return out;
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  private static Mat lut(int[] values) {
    Mat lut = new Mat(1, 256, CvType.CV_8U);
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      b[i] = (byte) values[i];
    }
    lut.put(0, 0, b);
    return lut;
  }
}
