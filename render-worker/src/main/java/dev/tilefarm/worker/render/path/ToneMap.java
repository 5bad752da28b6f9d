package dev.tilefarm.worker.render.path;

/**
 * From linear radiance to 8-bit (or 16-bit) sRGB. The curve is the ACES filmic fit of Narkowicz ("ACES Filmic Tone
 * Mapping Curve", 2015), applied per channel after his 0.6 exposure: it has a toe, maps radiance 1 to about
 * 0.67 and rolls highlights off smoothly toward white instead of clipping them, which suits scenes lit by
 * small, very bright emitters. Radiance 0 stays black. The result is encoded with the sRGB transfer
 * function and rounded to the nearest 8-bit value.
 */
final class ToneMap {
  private static final double EXPOSURE = 0.6;

  private ToneMap() {}

  /** Display-linear value in [0, 1] for a linear radiance value. */
  static double aces(double radiance) {
    double x = Math.max(0, radiance) * EXPOSURE;
    double mapped = x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14);
    return Math.min(1, Math.max(0, mapped));
  }

  /** The sRGB encoding of a display-linear value in [0, 1]. */
  static double srgb(double linear) {
    return linear <= 0.0031308 ? 12.92 * linear : 1.055 * StrictMath.pow(linear, 1 / 2.4) - 0.055;
  }

  static byte toByte(double radiance) {
    return (byte) (int) (srgb(aces(radiance)) * 255 + 0.5);
  }

  /** As {@link #toByte}, to the nearest 16-bit value (0 to 65535). */
  static int toShort(double radiance) {
    return (int) (srgb(aces(radiance)) * 65535 + 0.5);
  }
}
