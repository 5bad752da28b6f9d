package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Geometry ops on a box of their input, giving a box of their output. Flip, rotate and crop move whole
 * pixels, so OpenCV's own calls on the box are exact. Resize samples at positions computed from absolute
 * output coordinates, which OpenCV's {@code resize} cannot be told about (it would compute them from the
 * box's own origin), so it is computed here with OpenCV's coordinate and fixed-point arithmetic.
 */
final class Geometry {
  static {
    OpenCv.load();
  }

  /** OpenCV's INTER_RESIZE_COEF_BITS: linear weights are fixed-point with 11 fraction bits. */
  private static final int COEF_BITS = 11;
  private static final int COEF_SCALE = 1 << COEF_BITS;

  private Geometry() {}

  static Mat apply(ImageOp.Geometry op, Mat src, Box box, int w, int h, Box out) {
    return switch (op) {
      case ImageOp.Crop c ->
          OpChain.crop(src.clone(), new Box(box.x() - c.x(), box.y() - c.y(), box.width(), box.height()), out);
      case ImageOp.Flip f -> {
        Mat dst = new Mat();
        Core.flip(src, dst, switch (f.axis()) {
          case HORIZONTAL -> 1;
          case VERTICAL -> 0;
          case BOTH -> -1;
        });
        int x = f.axis() == ImageOp.Axis.VERTICAL ? box.x() : w - box.right();
        int y = f.axis() == ImageOp.Axis.HORIZONTAL ? box.y() : h - box.bottom();
        yield OpChain.crop(dst, new Box(x, y, box.width(), box.height()), out);
      }
      case ImageOp.Rotate r -> {
        Mat dst = new Mat();
        Box rotated = switch (r.degrees()) {
          case 90 -> {
            Core.rotate(src, dst, Core.ROTATE_90_CLOCKWISE);
            yield new Box(h - box.bottom(), box.x(), box.height(), box.width());
          }
          case 180 -> {
            Core.rotate(src, dst, Core.ROTATE_180);
            yield new Box(w - box.right(), h - box.bottom(), box.width(), box.height());
          }
          default -> {
            Core.rotate(src, dst, Core.ROTATE_90_COUNTERCLOCKWISE);
            yield new Box(box.y(), w - box.right(), box.height(), box.width());
          }
        };
        yield OpChain.crop(dst, rotated, out);
      }
      case ImageOp.Resize r -> resize(r, src, box, w, h, out);
    };
  }

  private static Mat resize(ImageOp.Resize r, Mat src, Box box, int w, int h, Box out) {
    double fx = r.scaleX(w);
    double fy = r.scaleY(h);
    int cn = src.channels();
    byte[] in = new byte[(int) src.total() * cn];
    src.get(0, 0, in);
    int stride = box.width() * cn;
    byte[] result = new byte[out.width() * out.height() * cn];
    boolean halve = fx == 0.5 && fy == 0.5;
    if (r.interpolation() == ImageOp.Interpolation.NEAREST) {
      // OpenCV's resizeNN: source index floor(x / fx), clamped to the last pixel.
      double ifx = 1 / fx;
      double ify = 1 / fy;
      for (int y = 0; y < out.height(); y++) {
        int sy = Math.min((int) Math.floor((out.y() + y) * ify), h - 1) - box.y();
        for (int x = 0; x < out.width(); x++) {
          int sx = Math.min((int) Math.floor((out.x() + x) * ifx), w - 1) - box.x();
          System.arraycopy(in, sy * stride + sx * cn, result, (y * out.width() + x) * cn, cn);
        }
      }
    } else if (halve) {
      // OpenCV turns a linear halving into its fast 2x2 area average, (a + b + c + d + 2) >> 2; where the
      // block overhangs an odd-sized image, the mean of the pixels it covers, rounded half to even.
      for (int y = 0; y < out.height(); y++) {
        int ay = 2 * (out.y() + y);
        for (int x = 0; x < out.width(); x++) {
          int ax = 2 * (out.x() + x);
          int rows = Math.min(2, h - ay);
          int cols = Math.min(2, w - ax);
          for (int c = 0; c < cn; c++) {
            int sum = 0;
            for (int dy = 0; dy < rows; dy++) {
              for (int dx = 0; dx < cols; dx++) {
                sum += in[(ay + dy - box.y()) * stride + (ax + dx - box.x()) * cn + c] & 0xFF;
              }
            }
            int v = rows * cols == 4 ? (sum + 2) >> 2 : (int) Math.rint((float) sum / (rows * cols));
            result[(y * out.width() + x) * cn + c] = (byte) v;
          }
        }
      }
    } else {
      linear(in, stride, cn, box, w, h, out, 1 / fx, 1 / fy, result);
    }
    Mat dst = new Mat(out.height(), out.width(), CvType.CV_8UC(cn));
    dst.put(0, 0, result);
    return dst;
  }

  /**
   * OpenCV's 8-bit INTER_LINEAR: per output column a source index and two weights from
   * {@code (float) ((x + 0.5) * scale - 0.5)} in 11-bit fixed point, a horizontal pass into ints, and the
   * vertical blend as its SIMD path computes it.
   */
  private static void linear(byte[] in, int stride, int cn, Box box, int w, int h, Box out, double scaleX,
      double scaleY, byte[] result) {
    int[] xofs = new int[out.width()];
    int[] xa0 = new int[out.width()];
    int[] xa1 = new int[out.width()];
    for (int x = 0; x < out.width(); x++) {
      int[] c = coefficients(out.x() + x, scaleX, w);
      xofs[x] = c[0] - box.x();
      xa0[x] = c[1];
      xa1[x] = c[2];
    }
    int[] row0 = new int[out.width() * cn];
    int[] row1 = new int[out.width() * cn];
    for (int y = 0; y < out.height(); y++) {
      int[] c = coefficients(out.y() + y, scaleY, h);
      int sy0 = c[0] - box.y();
      int sy1 = Math.min(c[0] + 1, h - 1) - box.y();
      horizontal(in, sy0 * stride, cn, xofs, xa0, xa1, w - 1 - box.x(), row0);
      horizontal(in, sy1 * stride, cn, xofs, xa0, xa1, w - 1 - box.x(), row1);
      int b0 = c[1];
      int b1 = c[2];
      for (int i = 0; i < row0.length; i++) {
        int v = (((b0 * (row0[i] >> 4)) >> 16) + ((b1 * (row1[i] >> 4)) >> 16) + 2) >> 2;
        result[y * out.width() * cn + i] = (byte) Math.max(0, Math.min(255, v));
      }
    }
  }

  private static void horizontal(byte[] in, int rowStart, int cn, int[] xofs, int[] a0, int[] a1, int lastX,
      int[] dst) {
    for (int x = 0; x < xofs.length; x++) {
      int sx = xofs[x];
      for (int c = 0; c < cn; c++) {
        int s0 = in[rowStart + sx * cn + c] & 0xFF;
        int s1 = sx < lastX ? in[rowStart + (sx + 1) * cn + c] & 0xFF : s0;
        dst[x * cn + c] = s0 * a0[x] + s1 * a1[x];
      }
    }
  }

  /** {source index, weight of it, weight of the next} for output coordinate {@code d}, as OpenCV computes them. */
  private static int[] coefficients(int d, double scale, int size) {
    float f = (float) ((d + 0.5) * scale - 0.5);
    int s = (int) Math.floor(f);
    f -= s;
    if (s < 0) {
      f = 0;
      s = 0;
    }
    if (s >= size - 1) {
      f = 0;
      s = size - 1;
    }
    int a0 = (int) Math.rint((1.f - f) * COEF_SCALE);
    int a1 = (int) Math.rint(f * COEF_SCALE);
    return new int[] {s, a0, a1};
  }
}
