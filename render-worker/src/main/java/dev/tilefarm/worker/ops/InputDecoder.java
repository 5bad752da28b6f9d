package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.TileLimits;
import org.opencv.core.CvException;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/** Decodes an input object's bytes with OpenCV into a {@link DecodedImage}. */
final class InputDecoder {
  static {
    OpenCv.load();
  }

  private InputDecoder() {}

  /**
   * Decodes {@code bytes} unchanged: no EXIF rotation (the splitter's size is the stored one) and alpha kept.
   * 16-bit images become 8-bit by {@code convertTo(CV_8U, 1/257.0)}, which maps 0..65535 onto 0..255 with
   * rounding (v/257 is exact for the 256 values 257*k, so an 8-bit image stored as 16 bits comes back
   * unchanged).
   *
   * @param maxPixels the most pixels the image may declare in its header; a larger one is not decoded
   * @throws TileFailedException if the bytes are not an image OpenCV reads, declare more than {@code maxPixels}
   *     pixels, or their samples are not 8 or 16-bit unsigned with 1, 3 or 4 channels
   */
  static DecodedImage decode(S3Uri uri, byte[] bytes) throws TileFailedException {
    return decode(uri, bytes, TileLimits.DEFAULT_MAX_PIXELS);
  }

  static DecodedImage decode(S3Uri uri, byte[] bytes, long maxPixels) throws TileFailedException {
    // The header first: a small file may declare a huge image, which must not reach the decoder.
    ImageHeader.Size declared = ImageHeader.read(bytes);
    if (declared == null) {
      throw new TileFailedException("input " + uri + " is not a readable image (" + describe(bytes)
          + "; readable are PNG, JPEG, TIFF, BMP and WebP)");
    }
    if (declared.width() < 1 || declared.height() < 1 || declared.pixels() > maxPixels) {
      throw new TileFailedException("input " + uri + " is a " + declared.width() + "x" + declared.height() + " = "
          + declared.pixels() + " pixel image; this farm decodes at most " + maxPixels + " (limits.max-pixels)");
    }
    Mat encoded = new MatOfByte(bytes);
    Mat mat = null;
    try {
      try {
        mat = Imgcodecs.imdecode(encoded, Imgcodecs.IMREAD_UNCHANGED);
      } catch (CvException e) {
        throw new TileFailedException("input " + uri + " is not a readable image (" + describe(bytes) + "; OpenCV: "
            + e.getMessage() + ")", e);
      }
      if (mat.empty()) {
        throw new TileFailedException("input " + uri + " is not a readable image (" + describe(bytes)
            + "; readable are PNG, JPEG, TIFF, BMP, WebP, JPEG 2000 and PNM)");
      }
      int channels = mat.channels();
      if (channels != 1 && channels != 3 && channels != 4) {
        throw new TileFailedException("input " + uri + " has " + channels
            + " channels; supported are 1 (grey), 3 (colour) and 4 (colour with alpha)");
      }
      int depth = mat.depth();
      if (depth == CvType.CV_16U) {
        Mat eight = new Mat();
        mat.convertTo(eight, CvType.CV_8U, 1 / 257.0);
        mat.release();
        mat = eight;
      } else if (depth != CvType.CV_8U) {
        throw new TileFailedException("input " + uri + " has " + depthName(depth)
            + " samples; supported are 8 and 16-bit unsigned integers");
      }
      byte[][] rows = new byte[mat.rows()][mat.cols() * channels];
      for (int y = 0; y < rows.length; y++) {
        mat.get(y, 0, rows[y]);
      }
      return new DecodedImage(mat.cols(), mat.rows(), channels, rows);
    } finally {
      encoded.release();
      if (mat != null) {
        mat.release();
      }
    }
  }

  private static String describe(byte[] bytes) {
    StringBuilder sb = new StringBuilder().append(bytes.length).append(" bytes");
    if (bytes.length > 0) {
      sb.append(", starting");
      for (int i = 0; i < Math.min(8, bytes.length); i++) {
        sb.append(String.format(" %02x", bytes[i] & 0xFF));
      }
    }
    return sb.toString();
  }

  private static String depthName(int depth) {
    return switch (depth) {
      case CvType.CV_8S -> "8-bit signed";
      case CvType.CV_16S -> "16-bit signed";
      case CvType.CV_32S -> "32-bit integer";
      case CvType.CV_32F -> "32-bit floating-point";
      case CvType.CV_64F -> "64-bit floating-point";
      default -> "depth-" + depth;
    };
  }
}
