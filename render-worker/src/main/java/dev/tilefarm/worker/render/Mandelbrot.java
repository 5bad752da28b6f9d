package dev.tilefarm.worker.render;

import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;

/**
 * The Mandelbrot set with smooth (continuous) escape-time colouring. At zoom 1 the image's shorter side
 * spans 3 units of the complex plane around the centre; the imaginary axis points up. Pixel (x, y) samples
 * the plane at its centre (x + 0.5, y + 0.5) in absolute image coordinates, so a pixel's colour does not
 * depend on the tile it is in.
 *
 * <p>Only IEEE arithmetic and {@link StrictMath} feed the colour, so the bytes are the same on every JVM,
 * with or without the JIT.
 */
final class Mandelbrot {
  // A large bailout radius makes the smooth count continuous to well below one 8-bit step.
  private static final double BAILOUT_SQUARED = 256.0 * 256.0;
  private static final double LN2 = StrictMath.log(2);

  private final SceneSpec.Mandelbrot spec;
  private final int width;
  private final int height;
  private final double unitsPerPixel;

  Mandelbrot(SceneSpec.Mandelbrot spec, int width, int height) {
    this.spec = spec;
    this.width = width;
    this.height = height;
    this.unitsPerPixel = 3.0 / (spec.zoom() * Math.min(width, height));
  }

  TileImage render(TileRect tile) {
    byte[] rgb = new byte[tile.width() * tile.height() * 3];
    int i = 0;
    for (int y = tile.y(); y < tile.y() + tile.height(); y++) {
      double ci = spec.centerY() - (y + 0.5 - height / 2.0) * unitsPerPixel;
      for (int x = tile.x(); x < tile.x() + tile.width(); x++) {
        double cr = spec.centerX() + (x + 0.5 - width / 2.0) * unitsPerPixel;
        colour(smoothEscape(cr, ci, spec.iterations()), rgb, i);
        i += 3;
      }
    }
    return new TileImage(tile.width(), tile.height(), 3, rgb);
  }

  /**
   * The continuous escape count of c = cr + i ci, or -1 if c did not escape within {@code iterations}
   * (taken to be inside the set).
   */
  static double smoothEscape(double cr, double ci, int iterations) {
    if (inCardioidOrBulb(cr, ci)) {
      return -1;
    }
    double zr = 0;
    double zi = 0;
    for (int n = 0; n < iterations; n++) {
      double zr2 = zr * zr;
      double zi2 = zi * zi;
      if (zr2 + zi2 > BAILOUT_SQUARED) {
        // n - log2(log2 |z|^2) + 4 is continuous across iteration counts; the +4 cancels log2(log2(256^2)).
        return n - StrictMath.log(StrictMath.log(zr2 + zi2) / LN2) / LN2 + 4;
      }
      zi = 2 * zr * zi + ci;
      zr = zr2 - zi2 + cr;
    }
    return -1;
  }

  /**
   * True for points of the main cardioid and the period-2 bulb, which never escape: skipping their
   * iterations changes no pixel (the set's interior is where most of the time would go).
   */
  static boolean inCardioidOrBulb(double cr, double ci) {
    double xq = cr - 0.25;
    double q = xq * xq + ci * ci;
    if (q * (q + xq) <= 0.25 * ci * ci) {
      return true;
    }
    double xb = cr + 1;
    return xb * xb + ci * ci <= 1.0 / 16;
  }

  /**
   * Inside is black; outside, a cosine palette runs from deep blue through white to copper and back, once
   * every 2 pi / 0.15 = 42 iterations of the smooth count.
   */
  static void colour(double mu, byte[] rgb, int offset) {
    if (mu < 0) {
      rgb[offset] = 0;
      rgb[offset + 1] = 0;
      rgb[offset + 2] = 0;
      return;
    }
    double phase = 3.0 + mu * 0.15;
    rgb[offset] = toByte(0.5 + 0.5 * StrictMath.cos(phase));
    rgb[offset + 1] = toByte(0.5 + 0.5 * StrictMath.cos(phase + 0.6));
    rgb[offset + 2] = toByte(0.5 + 0.5 * StrictMath.cos(phase + 1.0));
  }

  private static byte toByte(double v) {
    return (byte) Math.round(Math.max(0, Math.min(1, v)) * 255);
  }
}
