package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Applies a process job's ops with OpenCV, op by op, each on exactly the box of its input image that the
 * tile needs ({@link ChainPlan#needs}). The one place an {@link ImageOp} becomes OpenCV calls.
 *
 * <p>Tile exactness rests on each op running on a Mat of its own (never a submat view of a larger image)
 * holding its box: OpenCV treats the Mat's edges as the image border, which is right where the box reaches
 * the image's edge, and wrong only within the op's halo of an interior cut, which the next crop discards. On
 * a submat view OpenCV 4.9 would instead read the pixels around the view as border context and take other
 * code paths (measured: about 7% of a Gaussian-blurred tile's samples then differ by 1).
 *
 * <p>Ops whose result at a pixel depends on where the pixel is in the whole image (resize, CLAHE, Canny's
 * labels) are computed in absolute coordinates from the box's position, never from the Mat's.
 */
final class OpChain {
  static {
    OpenCv.load();
  }

  private OpChain() {}

  /**
   * Runs ops {@code [from, to)} of {@code plan} on {@code src}, which holds box {@code have} of the image at
   * op {@code from}'s input (it must contain what {@code want} needs), and returns a new Mat holding box
   * {@code want} of the image at op {@code to}'s input. {@code src} is consumed.
   *
   * @param stats merged statistics of the passes before this one (null in pass 0)
   * @param report receives the partial results of analysis ops (null: analysis ops only pass pixels)
   */
  static Mat run(ChainPlan plan, int from, int to, Mat src, Box have, Box want, MergedStats stats, ArrayNode report) {
    Box[] need = plan.needs(to, want);
    Mat current = crop(src, have, need[from]);
    Box box = need[from];
    try {
      for (int i = from; i < to; i++) {
        Mat next = apply(plan, i, current, box, need[i + 1], stats, report, want);
        if (next != current) {
          current.release();
        }
        current = next;
        box = need[i + 1];
      }
      return current;
    } catch (RuntimeException | Error e) {
      current.release();
      throw e;
    }
  }

  /**
   * A new Mat holding {@code want} cut from {@code src}, which holds {@code have}; src is released if it is not
   * returned.
   */
  static Mat crop(Mat src, Box have, Box want) {
    if (have.equals(want)) {
      return src;
    }
    if (!have.contains(want)) {
      throw new IllegalStateException("box " + want + " is not inside " + have);
    }
    Mat view = src.submat(new Rect(want.x() - have.x(), want.y() - have.y(), want.width(), want.height()));
    Mat copy = view.clone();
    view.release();
    src.release();
    return copy;
  }

  /**
   * Op {@code i} on {@code src} (box {@code box} of its input), cut to {@code out} of its output. {@code owned}
   * is the tile's own box, which analysis ops count (they never precede a geometry op, see ChainPlan).
   */
  private static Mat apply(ChainPlan plan, int i, Mat src, Box box, Box out, MergedStats stats, ArrayNode report,
      Box owned) {
    ImageOp op = plan.ops().get(i);
    int w = plan.width(i);
    int h = plan.height(i);
    return switch (op) {
      case ImageOp.Geometry g -> Geometry.apply(g, src, box, w, h, out);
      case ImageOp.WholeImage whole -> WholeImageOps.apply(whole, src, box, w, h, out, stats.of(plan.passOf(i)),
          plan.tileSize());
      case ImageOp.Analysis a -> {
        if (report != null) {
          report.add(Analysis.partial(i, a, src, box, owned));
        }
        yield crop(src.clone(), box, out);
      }
      case ImageOp.Local local -> crop(local(local, src), box, out);
    };
  }

  /** An op whose output has the input's box: a new Mat of the same size as {@code src}. */
  static Mat local(ImageOp.Local op, Mat src) {
    return switch (op) {
      case ImageOp.Grayscale g -> grey(src);
      case ImageOp.GaussianBlur blur -> {
        Mat dst = new Mat();
        int k = blur.kernelSize();
        Imgproc.GaussianBlur(src, dst, new Size(k, k), blur.sigma(), blur.sigma());
        yield dst;
      }
      case ImageOp.BoxBlur b -> {
        Mat dst = new Mat();
        Imgproc.blur(src, dst, new Size(b.size(), b.size()));
        yield dst;
      }
      case ImageOp.MedianBlur m -> {
        Mat dst = new Mat();
        Imgproc.medianBlur(src, dst, m.size());
        yield dst;
      }
      case ImageOp.Bilateral b -> onColour(src, c -> {
        Mat d = new Mat();
        Imgproc.bilateralFilter(c, d, b.diameter(), b.sigmaColor(), b.sigmaSpace());
        return d;
      });
      case ImageOp.Sharpen s -> {
        Mat dst = new Mat();
        Mat kernel = new Mat(3, 3, CvType.CV_32F);
        float a = (float) s.amount();
        kernel.put(0, 0, 0, -a, 0, -a, 1 + 4 * a, -a, 0, -a, 0);
        Imgproc.filter2D(src, dst, -1, kernel);
        kernel.release();
        yield dst;
      }
      case ImageOp.Unsharp u -> {
        Mat dst = new Mat();
        Mat blurred = local(u.blur(), src);
        Core.addWeighted(src, 1 + u.amount(), blurred, -u.amount(), 0, dst);
        blurred.release();
        yield dst;
      }
      case ImageOp.Sobel s -> absolute16(d16 -> Imgproc.Sobel(src, d16, CvType.CV_16S, s.dx(), s.dy(), s.size()));
      case ImageOp.Scharr s -> absolute16(d16 -> Imgproc.Scharr(src, d16, CvType.CV_16S, s.dx(), s.dy()));
      case ImageOp.Laplacian l -> absolute16(d16 -> Imgproc.Laplacian(src, d16, CvType.CV_16S, l.size()));
      case ImageOp.Morphology m -> {
        Mat dst = new Mat();
        Mat element = Imgproc.getStructuringElement(shape(m.shape()), new Size(m.size(), m.size()));
        Imgproc.morphologyEx(src, dst, morph(m.morph()), element, new Point(-1, -1), m.iterations());
        element.release();
        yield dst;
      }
      case ImageOp.ConvertColor c -> {
        Mat dst = new Mat();
        Mat bgr = bgr(src);
        Mat converted = new Mat();
        Imgproc.cvtColor(bgr, converted, colorCode(c.to()));
        // The tile is stored RGB (channels reversed from OpenCV's order): reverse them here, so that the first
        // stored channel is the colour space's first (H of HSV, L of Lab).
        Imgproc.cvtColor(converted, dst, Imgproc.COLOR_RGB2BGR);
        converted.release();
        if (bgr != src) {
          bgr.release();
        }
        yield dst;
      }
      case ImageOp.BrightnessContrast bc -> onColour(src, c -> {
        Mat d = new Mat();
        c.convertTo(d, -1, bc.contrast(), bc.brightness());
        return d;
      });
      case ImageOp.Gamma g -> {
        Mat lut = gammaLut(g.gamma());
        Mat result = onColour(src, c -> {
          Mat d = new Mat();
          Core.LUT(c, lut, d);
          return d;
        });
        lut.release();
        yield result;
      }
      case ImageOp.Invert i -> onColour(src, c -> {
        Mat d = new Mat();
        Core.bitwise_not(c, d);
        return d;
      });
      case ImageOp.Threshold t -> onColour(src, c -> {
        Mat d = new Mat();
        Imgproc.threshold(c, d, t.value(), t.max(), thresholdType(t.type()));
        return d;
      });
      case ImageOp.AdaptiveThreshold a -> {
        Mat dst = new Mat();
        Mat grey = grey(src);
        Imgproc.adaptiveThreshold(grey, dst, a.max(),
            a.gaussian() ? Imgproc.ADAPTIVE_THRESH_GAUSSIAN_C : Imgproc.ADAPTIVE_THRESH_MEAN_C,
            a.inverted() ? Imgproc.THRESH_BINARY_INV : Imgproc.THRESH_BINARY, a.size(), a.c());
        if (grey != src) {
          grey.release();
        }
        yield dst;
      }
      case ImageOp.ColorMap c -> {
        Mat dst = new Mat();
        Mat grey = grey(src);
        Imgproc.applyColorMap(grey, dst, c.code());
        if (grey != src) {
          grey.release();
        }
        yield dst;
      }
    };
  }

  /**
   * {@code convertScaleAbs} of a 16-bit signed derivative, which {@code derivative} writes into the Mat it is
   * given.
   */
  private static Mat absolute16(java.util.function.Consumer<Mat> derivative) {
    Mat d16 = new Mat();
    Mat dst = new Mat();
    derivative.accept(d16);
    Core.convertScaleAbs(d16, dst);
    d16.release();
    return dst;
  }

  /** BT.601 grey; a grey Mat is returned as it is. */
  static Mat grey(Mat src) {
    int code = switch (src.channels()) {
      case 1 -> -1;
      case 3 -> Imgproc.COLOR_BGR2GRAY;
      case 4 -> Imgproc.COLOR_BGRA2GRAY;
      default -> throw new IllegalArgumentException("grayscale of a " + src.channels() + "-channel image");
    };
    if (code < 0) {
      return src;
    }
    Mat dst = new Mat();
    Imgproc.cvtColor(src, dst, code);
    return dst;
  }

  private static Mat bgr(Mat src) {
    if (src.channels() == 3) {
      return src;
    }
    Mat dst = new Mat();
    Imgproc.cvtColor(src, dst, src.channels() == 1 ? Imgproc.COLOR_GRAY2BGR : Imgproc.COLOR_BGRA2BGR);
    return dst;
  }

  /**
   * {@code f} on the colour channels: the whole Mat for grey and BGR, BGR for BGRA with the alpha put back
   * unchanged (brightening or inverting a picture should not change what is transparent).
   */
  static Mat onColour(Mat src, java.util.function.Function<Mat, Mat> f) {
    if (src.channels() != 4) {
      return f.apply(src);
    }
    List<Mat> planes = new ArrayList<>();
    Core.split(src, planes);
    Mat colour = new Mat();
    Core.merge(planes.subList(0, 3), colour);
    Mat done = f.apply(colour);
    List<Mat> out = new ArrayList<>();
    Core.split(done, out);
    out.add(planes.get(3));
    Mat dst = new Mat();
    Core.merge(out, dst);
    planes.forEach(Mat::release);
    out.forEach(Mat::release);
    colour.release();
    done.release();
    return dst;
  }

  /** round(255 (v/255)^(1/gamma)) for v = 0..255. */
  static Mat gammaLut(double gamma) {
    Mat lut = new Mat(1, 256, CvType.CV_8U);
    byte[] values = new byte[256];
    for (int v = 0; v < 256; v++) {
      values[v] = (byte) Math.min(255, Math.round(255 * Math.pow(v / 255.0, 1 / gamma)));
    }
    lut.put(0, 0, values);
    return lut;
  }

  private static int shape(ImageOp.Shape s) {
    return switch (s) {
      case RECT -> Imgproc.MORPH_RECT;
      case CROSS -> Imgproc.MORPH_CROSS;
      case ELLIPSE -> Imgproc.MORPH_ELLIPSE;
    };
  }

  private static int morph(ImageOp.Morph m) {
    return switch (m) {
      case ERODE -> Imgproc.MORPH_ERODE;
      case DILATE -> Imgproc.MORPH_DILATE;
      case OPEN -> Imgproc.MORPH_OPEN;
      case CLOSE -> Imgproc.MORPH_CLOSE;
      case GRADIENT -> Imgproc.MORPH_GRADIENT;
    };
  }

  private static int colorCode(ImageOp.ColorSpace to) {
    return switch (to) {
      case HSV -> Imgproc.COLOR_BGR2HSV;
      case HLS -> Imgproc.COLOR_BGR2HLS;
      case LAB -> Imgproc.COLOR_BGR2Lab;
      case LUV -> Imgproc.COLOR_BGR2Luv;
      case YCRCB -> Imgproc.COLOR_BGR2YCrCb;
      case XYZ -> Imgproc.COLOR_BGR2XYZ;
    };
  }

  static int thresholdType(ImageOp.ThresholdType t) {
    return switch (t) {
      case BINARY -> Imgproc.THRESH_BINARY;
      case BINARY_INV -> Imgproc.THRESH_BINARY_INV;
      case TRUNC -> Imgproc.THRESH_TRUNC;
      case TOZERO -> Imgproc.THRESH_TOZERO;
      case TOZERO_INV -> Imgproc.THRESH_TOZERO_INV;
    };
  }
}
