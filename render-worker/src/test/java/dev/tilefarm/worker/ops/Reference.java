package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.store.TileImage;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.CLAHE;
import org.opencv.imgproc.Imgproc;

/**
 * The op chain on the whole decoded image, in one piece. Local ops are single OpenCV calls and come from
 * {@link OpChain#local} (the point of the comparison is the tiling); every op the farm computes differently
 * on tiles (whole-image ops, geometry, Canny) is written here as the plain OpenCV call on the whole image,
 * independently of the worker's code.
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

  static Mat apply(ImageOp op, Mat m) {
    Mat dst = new Mat();
    if (op instanceof ImageOp.Analysis) {
      return m;
    } else if (op instanceof ImageOp.Flip f) {
      Core.flip(m, dst, f.axis() == ImageOp.Axis.HORIZONTAL ? 1 : f.axis() == ImageOp.Axis.VERTICAL ? 0 : -1);
    } else if (op instanceof ImageOp.Rotate r) {
      Core.rotate(m, dst, r.degrees() == 90 ? Core.ROTATE_90_CLOCKWISE
          : r.degrees() == 180 ? Core.ROTATE_180 : Core.ROTATE_90_COUNTERCLOCKWISE);
    } else if (op instanceof ImageOp.Crop c) {
      dst = m.submat(new Rect(c.x(), c.y(), c.width(), c.height())).clone();
    } else if (op instanceof ImageOp.Resize r) {
      int interpolation = r.interpolation() == ImageOp.Interpolation.NEAREST ? Imgproc.INTER_NEAREST : Imgproc.INTER_LINEAR;
      if (r.factor() != 0) {
        Imgproc.resize(m, dst, new Size(), r.factor(), r.factor(), interpolation);
      } else {
        Imgproc.resize(m, dst, new Size(r.width(), r.height()), 0, 0, interpolation);
      }
    } else if (op instanceof ImageOp.EqualizeHist) {
      dst = colourPlanes(m, p -> {
        Mat d = new Mat();
        Imgproc.equalizeHist(p, d);
        return d;
      });
    } else if (op instanceof ImageOp.OtsuThreshold t) {
      Mat grey = OpChain.grey(m);
      Imgproc.threshold(grey, dst, 0, t.max(),
          (t.inverted() ? Imgproc.THRESH_BINARY_INV : Imgproc.THRESH_BINARY) | Imgproc.THRESH_OTSU);
    } else if (op instanceof ImageOp.Normalize n) {
      Core.normalize(m, dst, n.min(), n.max(), Core.NORM_MINMAX);
    } else if (op instanceof ImageOp.Clahe c) {
      CLAHE clahe = Imgproc.createCLAHE(c.clip(), new Size(c.grid(), c.grid()));
      dst = colourPlanes(m, p -> {
        Mat d = new Mat();
        clahe.apply(p, d);
        return d;
      });
    } else if (op instanceof ImageOp.Canny c) {
      Imgproc.Canny(m, dst, c.low(), c.high(), c.aperture(), c.l2());
    } else {
      return OpChain.local(op, m);
    }
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
