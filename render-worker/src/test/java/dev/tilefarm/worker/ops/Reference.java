package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.store.TileImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.CLAHE;
import org.opencv.imgproc.Imgproc;

/**
 * The op chain on the whole decoded image, in one piece: every op written here as the README's op table states
 * it (the OpenCV call, its kernel or formula, the channels it reads), on the whole image, independently of the
 * worker's code; the worker's tiles must equal it.
 */
final class Reference {
  static {
    OpenCv.load();
  }

  private Reference() {}

  static TileImage of(byte[] encoded, List<ImageOp> chain) {
    Mat m = Imgcodecs.imdecode(new MatOfByte(encoded), Imgcodecs.IMREAD_UNCHANGED);
    if (m.depth() == CvType.CV_16U) {
      Mat eight = new Mat();
      m.convertTo(eight, CvType.CV_8U, 1 / 257.0);
      m = eight;
    }
    for (ImageOp op : chain) {
      m = apply(op, m);
    }
    Mat rgb = new Mat();
    switch (m.channels()) {
      case 1 -> rgb = m;
      case 3 -> Imgproc.cvtColor(m, rgb, Imgproc.COLOR_BGR2RGB);
      default -> Imgproc.cvtColor(m, rgb, Imgproc.COLOR_BGRA2RGBA);
    }
    byte[] pixels = new byte[(int) rgb.total() * rgb.channels()];
    rgb.get(0, 0, pixels);
    return new TileImage(rgb.cols(), rgb.rows(), rgb.channels(), pixels);
  }

  /**
   * {@code op} on the whole image {@code m}, as the README's op table states it: the OpenCV call, its kernel or
   * formula, and which channels it reads. Written out here for every op, never taken from the worker's code.
   */
  static Mat apply(ImageOp op, Mat m) {
    Mat dst = new Mat();
    switch (op) {
      // grayscale: cvtColor(BGR[A]2GRAY); a grey image is already grey.
      case ImageOp.Grayscale g -> dst = grey(m);
      // gaussian-blur: GaussianBlur, kernel round(6 sigma + 1) | 1, the same sigma in x and y.
      case ImageOp.GaussianBlur b -> {
        int k = (int) Math.round(6 * b.sigma() + 1) | 1;
        Imgproc.GaussianBlur(m, dst, new Size(k, k), b.sigma(), b.sigma());
      }
      // box-blur: blur (the normalized box) of size x size.
      case ImageOp.BoxBlur b -> Imgproc.blur(m, dst, new Size(b.size(), b.size()));
      // median-blur: medianBlur of aperture size.
      case ImageOp.MedianBlur b -> Imgproc.medianBlur(m, dst, b.size());
      // bilateral: bilateralFilter on the colour channels.
      case ImageOp.Bilateral b -> dst = colourChannels(m, c -> {
        Mat d = new Mat();
        Imgproc.bilateralFilter(c, d, b.diameter(), b.sigmaColor(), b.sigmaSpace());
        return d;
      });
      // sharpen: filter2D with the 3x3 kernel of centre 1 + 4a, edge neighbours -a, corners 0.
      case ImageOp.Sharpen s -> {
        double a = s.amount();
        Mat kernel = new Mat(3, 3, CvType.CV_32F);
        kernel.put(0, 0, new float[] {0, (float) -a, 0, (float) -a, (float) (1 + 4 * a), (float) -a, 0, (float) -a, 0});
        Imgproc.filter2D(m, dst, -1, kernel);
      }
      // unsharp: addWeighted(src, 1 + a, GaussianBlur(src, sigma), -a, 0), the blur's kernel as gaussian-blur's.
      case ImageOp.Unsharp u -> {
        Mat blurred = new Mat();
        int k = (int) Math.round(6 * u.sigma() + 1) | 1;
        Imgproc.GaussianBlur(m, blurred, new Size(k, k), u.sigma(), u.sigma());
        Core.addWeighted(m, 1 + u.amount(), blurred, -u.amount(), 0, dst);
      }
      // sobel, scharr, laplacian: convertScaleAbs of the 16-bit signed derivative, every channel.
      case ImageOp.Sobel s -> {
        Mat d16 = new Mat();
        Imgproc.Sobel(m, d16, CvType.CV_16S, s.dx(), s.dy(), s.size());
        Core.convertScaleAbs(d16, dst);
      }
      case ImageOp.Scharr s -> {
        Mat d16 = new Mat();
        Imgproc.Scharr(m, d16, CvType.CV_16S, s.dx(), s.dy());
        Core.convertScaleAbs(d16, dst);
      }
      case ImageOp.Laplacian l -> {
        Mat d16 = new Mat();
        Imgproc.Laplacian(m, d16, CvType.CV_16S, l.size());
        Core.convertScaleAbs(d16, dst);
      }
      // erode ... gradient: morphologyEx with a size x size structuring element, repeated iterations times.
      case ImageOp.Morphology mo -> {
        int shape = switch (mo.shape()) {
          case RECT -> Imgproc.MORPH_RECT;
          case CROSS -> Imgproc.MORPH_CROSS;
          case ELLIPSE -> Imgproc.MORPH_ELLIPSE;
        };
        int morph = switch (mo.morph()) {
          case ERODE -> Imgproc.MORPH_ERODE;
          case DILATE -> Imgproc.MORPH_DILATE;
          case OPEN -> Imgproc.MORPH_OPEN;
          case CLOSE -> Imgproc.MORPH_CLOSE;
          case GRADIENT -> Imgproc.MORPH_GRADIENT;
        };
        Mat element = Imgproc.getStructuringElement(shape, new Size(mo.size(), mo.size()));
        Imgproc.morphologyEx(m, dst, morph, element, new Point(-1, -1), mo.iterations());
      }
      // convert-color: cvtColor(BGR2<space>) of the colour image (grey taken as colour, alpha dropped); the
      // first stored channel is the space's first. of() stores the Mat's channels reversed (BGR as RGB), so the
      // space's channels are put in here last to first.
      case ImageOp.ConvertColor c -> {
        int code = switch (c.to()) {
          case HSV -> Imgproc.COLOR_BGR2HSV;
          case HLS -> Imgproc.COLOR_BGR2HLS;
          case LAB -> Imgproc.COLOR_BGR2Lab;
          case LUV -> Imgproc.COLOR_BGR2Luv;
          case YCRCB -> Imgproc.COLOR_BGR2YCrCb;
          case XYZ -> Imgproc.COLOR_BGR2XYZ;
        };
        Mat converted = new Mat();
        Imgproc.cvtColor(bgr(m), converted, code);
        List<Mat> planes = new ArrayList<>();
        Core.split(converted, planes);
        Core.merge(List.of(planes.get(2), planes.get(1), planes.get(0)), dst);
      }
      // brightness-contrast: convertTo(-1, contrast, brightness) on the colour channels.
      case ImageOp.BrightnessContrast bc -> dst = colourChannels(m, c -> {
        Mat d = new Mat();
        c.convertTo(d, -1, bc.contrast(), bc.brightness());
        return d;
      });
      // gamma: LUT of round(255 (v/255)^(1/gamma)) on the colour channels.
      case ImageOp.Gamma g -> {
        Mat lut = new Mat(1, 256, CvType.CV_8U);
        for (int v = 0; v < 256; v++) {
          lut.put(0, v, Math.round(255 * Math.pow(v / 255.0, 1 / g.gamma())));
        }
        dst = colourChannels(m, c -> {
          Mat d = new Mat();
          Core.LUT(c, lut, d);
          return d;
        });
      }
      // invert: bitwise_not on the colour channels.
      case ImageOp.Invert i -> dst = colourChannels(m, c -> {
        Mat d = new Mat();
        Core.bitwise_not(c, d);
        return d;
      });
      // threshold: threshold(value, max, type) of each colour channel.
      case ImageOp.Threshold t -> {
        int type = switch (t.type()) {
          case BINARY -> Imgproc.THRESH_BINARY;
          case BINARY_INV -> Imgproc.THRESH_BINARY_INV;
          case TRUNC -> Imgproc.THRESH_TRUNC;
          case TOZERO -> Imgproc.THRESH_TOZERO;
          case TOZERO_INV -> Imgproc.THRESH_TOZERO_INV;
        };
        dst = colourChannels(m, c -> {
          Mat d = new Mat();
          Imgproc.threshold(c, d, t.value(), t.max(), type);
          return d;
        });
      }
      // adaptive-threshold: adaptiveThreshold of the grey image.
      case ImageOp.AdaptiveThreshold a -> Imgproc.adaptiveThreshold(grey(m), dst, a.max(),
          a.gaussian() ? Imgproc.ADAPTIVE_THRESH_GAUSSIAN_C : Imgproc.ADAPTIVE_THRESH_MEAN_C,
          a.inverted() ? Imgproc.THRESH_BINARY_INV : Imgproc.THRESH_BINARY, a.size(), a.c());
      // color-map: applyColorMap of the grey image, the map named by OpenCV's COLORMAP_ constant.
      case ImageOp.ColorMap c -> Imgproc.applyColorMap(grey(m), dst, COLOR_MAPS.get(c.map()));
      // equalize-hist: equalizeHist per colour channel.
      case ImageOp.EqualizeHist e -> dst = colourPlanes(m, p -> {
        Mat d = new Mat();
        Imgproc.equalizeHist(p, d);
        return d;
      });
      // otsu-threshold: threshold(grey, 0, max, BINARY[_INV] | THRESH_OTSU).
      case ImageOp.OtsuThreshold t -> Imgproc.threshold(grey(m), dst, 0, t.max(),
          (t.inverted() ? Imgproc.THRESH_BINARY_INV : Imgproc.THRESH_BINARY) | Imgproc.THRESH_OTSU);
      // normalize: normalize(NORM_MINMAX) over all channels.
      case ImageOp.Normalize n -> Core.normalize(m, dst, n.min(), n.max(), Core.NORM_MINMAX);
      // clahe: createCLAHE(clip, grid x grid).apply per colour channel.
      case ImageOp.Clahe c -> {
        CLAHE clahe = Imgproc.createCLAHE(c.clip(), new Size(c.grid(), c.grid()));
        dst = colourPlanes(m, p -> {
          Mat d = new Mat();
          clahe.apply(p, d);
          return d;
        });
      }
      // canny: Canny(low, high, aperture, l2).
      case ImageOp.Canny c -> Imgproc.Canny(m, dst, c.low(), c.high(), c.aperture(), c.l2());
      // resize: resize, INTER_NEAREST or INTER_LINEAR, by factor or to width x height.
      case ImageOp.Resize r -> {
        int interpolation = r.interpolation() == ImageOp.Interpolation.NEAREST ? Imgproc.INTER_NEAREST : Imgproc.INTER_LINEAR;
        if (r.factor() != 0) {
          Imgproc.resize(m, dst, new Size(), r.factor(), r.factor(), interpolation);
        } else {
          Imgproc.resize(m, dst, new Size(r.width(), r.height()), 0, 0, interpolation);
        }
      }
      // flip: horizontal mirrors left-right (flipCode 1), vertical top-bottom (0), both (-1).
      case ImageOp.Flip f -> Core.flip(m, dst, switch (f.axis()) {
        case HORIZONTAL -> 1;
        case VERTICAL -> 0;
        case BOTH -> -1;
      });
      // rotate: clockwise by 90, 180 or 270 degrees.
      case ImageOp.Rotate r -> Core.rotate(m, dst, switch (r.degrees()) {
        case 90 -> Core.ROTATE_90_CLOCKWISE;
        case 180 -> Core.ROTATE_180;
        case 270 -> Core.ROTATE_90_COUNTERCLOCKWISE;
        default -> throw new IllegalArgumentException("rotate by " + r.degrees());
      });
      // crop: the rectangle at x, y.
      case ImageOp.Crop c -> dst = m.submat(new Rect(c.x(), c.y(), c.width(), c.height())).clone();
      // histogram, dominant-colors, detect-faces: the pixels pass through.
      case ImageOp.Histogram h -> dst = m;
      case ImageOp.DominantColors d -> dst = m;
      case ImageOp.DetectFaces d -> dst = m;
    }
    return dst;
  }

  /** OpenCV's {@code COLORMAP_*} constant of each map name of the catalog. */
  static final Map<String, Integer> COLOR_MAPS = Map.ofEntries(
      Map.entry("autumn", Imgproc.COLORMAP_AUTUMN), Map.entry("bone", Imgproc.COLORMAP_BONE),
      Map.entry("jet", Imgproc.COLORMAP_JET), Map.entry("winter", Imgproc.COLORMAP_WINTER),
      Map.entry("rainbow", Imgproc.COLORMAP_RAINBOW), Map.entry("ocean", Imgproc.COLORMAP_OCEAN),
      Map.entry("summer", Imgproc.COLORMAP_SUMMER), Map.entry("spring", Imgproc.COLORMAP_SPRING),
      Map.entry("cool", Imgproc.COLORMAP_COOL), Map.entry("hsv", Imgproc.COLORMAP_HSV),
      Map.entry("pink", Imgproc.COLORMAP_PINK), Map.entry("hot", Imgproc.COLORMAP_HOT),
      Map.entry("parula", Imgproc.COLORMAP_PARULA), Map.entry("magma", Imgproc.COLORMAP_MAGMA),
      Map.entry("inferno", Imgproc.COLORMAP_INFERNO), Map.entry("plasma", Imgproc.COLORMAP_PLASMA),
      Map.entry("viridis", Imgproc.COLORMAP_VIRIDIS), Map.entry("cividis", Imgproc.COLORMAP_CIVIDIS),
      Map.entry("twilight", Imgproc.COLORMAP_TWILIGHT), Map.entry("twilight-shifted", Imgproc.COLORMAP_TWILIGHT_SHIFTED),
      Map.entry("turbo", Imgproc.COLORMAP_TURBO), Map.entry("deepgreen", Imgproc.COLORMAP_DEEPGREEN));

  /** The grey image: cvtColor(BGR2GRAY) or (BGRA2GRAY); grey as it is. */
  private static Mat grey(Mat m) {
    if (m.channels() == 1) {
      return m;
    }
    Mat d = new Mat();
    Imgproc.cvtColor(m, d, m.channels() == 3 ? Imgproc.COLOR_BGR2GRAY : Imgproc.COLOR_BGRA2GRAY);
    return d;
  }

  /** The colour image: grey taken as BGR, BGRA's alpha dropped. */
  private static Mat bgr(Mat m) {
    if (m.channels() == 3) {
      return m;
    }
    Mat d = new Mat();
    Imgproc.cvtColor(m, d, m.channels() == 1 ? Imgproc.COLOR_GRAY2BGR : Imgproc.COLOR_BGRA2BGR);
    return d;
  }

  /** {@code f} on the colour channels: grey and BGR whole, BGRA's BGR with the alpha put back unchanged. */
  private static Mat colourChannels(Mat m, java.util.function.Function<Mat, Mat> f) {
    if (m.channels() != 4) {
      return f.apply(m);
    }
    List<Mat> planes = new ArrayList<>();
    Core.split(m, planes);
    Mat colour = new Mat();
    Core.merge(planes.subList(0, 3), colour);
    List<Mat> out = new ArrayList<>();
    Core.split(f.apply(colour), out);
    out.add(planes.get(3));
    Mat dst = new Mat();
    Core.merge(out, dst);
    return dst;
  }

  /** {@code f} on each colour plane; the alpha of BGRA is put back unchanged. */
  private static Mat colourPlanes(Mat m, java.util.function.Function<Mat, Mat> f) {
    List<Mat> planes = new ArrayList<>();
    Core.split(m, planes);
    List<Mat> out = new ArrayList<>();
    for (int i = 0; i < planes.size(); i++) {
      out.add(i == 3 ? planes.get(3) : f.apply(planes.get(i)));
    }
    Mat dst = new Mat();
    Core.merge(out, dst);
    return dst;
  }

  static byte[] png(Mat image) {
    MatOfByte out = new MatOfByte();
    if (!Imgcodecs.imencode(".png", image, out)) {
      throw new IllegalStateException("PNG encoding failed");
    }
    return out.toArray();
  }
}
