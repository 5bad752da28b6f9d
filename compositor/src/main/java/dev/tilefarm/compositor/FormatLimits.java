package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;

/**
 * What each output format can hold, checked before and while an image is assembled: the sample depths of its
 * tiles (8 or 16 bits for PNG and TIFF, 8 for JPEG and WebP, floats for EXR only) and, for the formats encoded
 * whole in memory (TIFF, WebP), the image's size. A job the decoder let through cannot break these; a tile
 * written otherwise (another worker version, a hand-made job record) fails the job saying which rule it broke.
 */
final class FormatLimits {
  /** Pixel bytes a TIFF or WebP output may hold in memory: as for JPEG. */
  static final long MAX_BYTES = ImageAssembler.MAX_JPEG_BYTES;
  /** libwebp's limit on either side. */
  static final int MAX_WEBP_SIDE = 16_383;

  private FormatLimits() {}

  /** Refuses an image too large for its format before any tile is read. */
  static void check(AssemblyRequest req) {
    ImageFormat format = req.format();
    if (format == ImageFormat.WEBP && (req.width() > MAX_WEBP_SIDE || req.height() > MAX_WEBP_SIDE)) {
      throw new AssemblyFailedException(req.jobId(), null, "a " + req.width() + "x" + req.height() + " image is "
          + "too large for WebP, whose sides are at most " + MAX_WEBP_SIDE + " pixels; write a .png output", null);
    }
    if (format == ImageFormat.TIFF || format == ImageFormat.WEBP) {
      // 16-bit at most: two bytes a sample.
      long need = (long) req.width() * req.height() * req.channels() * (format == ImageFormat.TIFF ? 2 : 1);
      if (need > MAX_BYTES) {
        throw new AssemblyFailedException(req.jobId(), null, "a " + req.width() + "x" + req.height() + " "
            + format + " needs up to " + (need >> 20) + " MiB of pixels in memory, more than the "
            + (MAX_BYTES >> 20) + " MiB limit; write a .png output for images this large", null);
      }
    }
  }

  /** Refuses tiles of {@code bitDepth} bits a sample that the job's format cannot hold. */
  static void checkDepth(AssemblyRequest req, int bitDepth) {
    boolean fits = switch (req.format()) {
      case PNG, TIFF -> bitDepth == 8 || bitDepth == 16;
      case JPEG, WEBP -> bitDepth == 8;
      case EXR -> bitDepth == 32;
    };
    if (!fits) {
      String what = bitDepth == 32 ? "float samples" : bitDepth + "-bit samples";
      String wants = switch (req.format()) {
        case PNG, TIFF -> "8 or 16-bit samples (float renders write .exr)";
        case JPEG, WEBP -> "8-bit samples";
        case EXR -> "float samples (a render with an .exr output makes them)";
      };
      throw new AssemblyFailedException(req.jobId(), null, "its tiles hold " + what + ", but " + req.format()
          + " takes " + wants, null);
    }
  }
}
