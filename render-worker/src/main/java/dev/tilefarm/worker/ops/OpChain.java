package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.ImageOp;
import java.util.List;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Applies a process job's ops with OpenCV, each with its default border (BORDER_REFLECT_101). The one
 * place an {@link ImageOp} becomes an OpenCV call.
 *
 * <p>Tile exactness rests on the ops being applied to a Mat of their own (never a submat view of a larger
 * image) holding the tile and its halo: on such a Mat, 8-bit {@code GaussianBlur} takes OpenCV's bit-exact
 * fixed-point path (never IPP, never the floating-point {@code sepFilter2D}) and treats the Mat's edges as
 * the image border, and 8-bit {@code cvtColor} to grey is OpenCV's own fixed-point code too, so neither
 * depends on the CPU's IPP or SIMD level. On a submat view OpenCV 4.9 instead reads the pixels around the
 * view as border context and takes the floating-point filter: measured on a 150x101 image, about 7% of a
 * tile's samples then differ from the whole-image result by 1.
 */
final class OpChain {
  static {
    OpenCv.load();
  }

  private OpChain() {}

  /**
   * The result of the ops on {@code image}; {@code image} is consumed (released, or returned as the
   * result). The caller releases the result.
   */
  static Mat apply(List<ImageOp> ops, Mat image) {
    Mat current = image;
    try {
      for (ImageOp op : ops) {
        Mat next = apply(op, current);
        if (next != current) {
          current.release();
          current = next;
        }
      }
      return current;
    } catch (RuntimeException | Error e) {
      current.release();
      throw e;
    }
  }

  // Java 17 has no pattern switch; ImageOp is sealed, so these branches are all there is
  // (OpChainTest fails when schemas adds an op).
  private static Mat apply(ImageOp op, Mat src) {
    if (op instanceof ImageOp.Grayscale) {
      return grayscale(src);
    } else if (op instanceof ImageOp.GaussianBlur blur) {
      Mat dst = new Mat();
      int k = blur.kernelSize();
      Imgproc.GaussianBlur(src, dst, new Size(k, k), blur.sigma(), blur.sigma());
      return dst;
    }
    throw new IllegalStateException("no implementation of op " + op.name());
  }

  private static Mat grayscale(Mat src) {
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
}
