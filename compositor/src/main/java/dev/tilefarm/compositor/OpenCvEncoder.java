package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Encodes whole images as TIFF (8 or 16 bits a sample, Adobe Deflate compression) or lossless WebP (8 bits) with
 * OpenCV's {@code imencode} (libtiff and libwebp in the farm's OpenCV build). The caller puts the rows in top to
 * bottom, as {@link PngEncoder} takes them (16-bit samples big-endian), then calls {@link #encode}; the image is
 * held in memory, so the assembler bounds its size first.
 */
final class OpenCvEncoder {
  static {
    nu.pattern.OpenCV.loadLocally();
  }

  /** libtiff's COMPRESSION_ADOBE_DEFLATE: zlib, as PNG; LZW (OpenCV's default) compresses photographs worse. */
  static final int TIFF_DEFLATE = 8;
  /** Above 100, libwebp encodes losslessly: the output holds exactly the pixels of the tiles. */
  static final int WEBP_LOSSLESS = 101;

  private final ImageFormat format;
  private final int width;
  private final int channels;
  private final int bitDepth;
  private final Mat image;
  private int rows;

  OpenCvEncoder(ImageFormat format, int width, int height, int channels, int bitDepth) {
    if (format != ImageFormat.TIFF && format != ImageFormat.WEBP) {
      throw new IllegalArgumentException("OpenCV encodes TIFF and WebP here, not " + format);
    }
    if (bitDepth != 8 && !(bitDepth == 16 && format == ImageFormat.TIFF)) {
      throw new IllegalArgumentException(format + " takes " + (format == ImageFormat.TIFF ? "8 or 16" : "8")
          + "-bit samples, not " + bitDepth);
    }
    this.format = format;
    this.width = width;
    this.channels = channels;
    this.bitDepth = bitDepth;
    this.image = new Mat(height, width, CvType.makeType(bitDepth == 8 ? CvType.CV_8U : CvType.CV_16U, channels));
  }

  /** The bytes a row has: {@code width * channels * bitDepth / 8}. */
  int rowBytes() {
    return width * channels * (bitDepth / 8);
  }

  void writeRow(byte[] row) {
    if (bitDepth == 8) {
      image.put(rows++, 0, row);
    } else {
      short[] samples = new short[row.length / 2];
      ByteBuffer.wrap(row).order(ByteOrder.BIG_ENDIAN).asShortBuffer().get(samples);
      image.put(rows++, 0, samples);
    }
  }

  /** The encoded file; frees the image. */
  byte[] encode() {
    Mat bgr = new Mat();
    MatOfByte out = new MatOfByte();
    try {
      // OpenCV's codecs take blue first.
      switch (channels) {
        case 3 -> Imgproc.cvtColor(image, bgr, Imgproc.COLOR_RGB2BGR);
        case 4 -> Imgproc.cvtColor(image, bgr, Imgproc.COLOR_RGBA2BGRA);
        default -> image.copyTo(bgr);
      }
      MatOfInt params = format == ImageFormat.TIFF
          ? new MatOfInt(Imgcodecs.IMWRITE_TIFF_COMPRESSION, TIFF_DEFLATE)
          : new MatOfInt(Imgcodecs.IMWRITE_WEBP_QUALITY, WEBP_LOSSLESS);
      if (!Imgcodecs.imencode("." + format.extension(), bgr, out, params)) {
        throw new IllegalStateException("OpenCV could not encode a " + width + "x" + image.rows() + "x" + channels
            + " image as " + format);
      }
      return out.toArray();
    } finally {
      image.release();
      bgr.release();
      out.release();
    }
  }

  /** Frees the image without encoding it. */
  void abandon() {
    image.release();
  }
}
