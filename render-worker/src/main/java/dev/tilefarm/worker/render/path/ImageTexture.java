package dev.tilefarm.worker.render.path;

import java.awt.image.BufferedImage;

/**
 * An image mapped by uv, repeating outside [0, 1), filtered bilinearly. Texels are decoded once to linear
 * floats (sRGB-decoded for colour images, taken as they are for data such as normals or roughness).
 *
 * @see #ImageTexture(BufferedImage, boolean, boolean) for the orientation convention
 */
final class ImageTexture implements Texture {
  private static final double[] SRGB_TO_LINEAR = new double[256];

  static {
    for (int i = 0; i < 256; i++) {
      double c = i / 255.0;
      SRGB_TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : StrictMath.pow((c + 0.055) / 1.055, 2.4);
    }
  }

  private final int width;
  private final int height;
  private final float[] texels;
  private final boolean topDown;
  private final double maxLuminance;

  /**
   * @param srgb decode the 8-bit values from sRGB to linear
   * @param topDown v = 0 is the image's top row (glTF); otherwise its bottom row (OBJ, the scene format)
   */
  ImageTexture(BufferedImage image, boolean srgb, boolean topDown) {
    this.width = image.getWidth();
    this.height = image.getHeight();
    this.topDown = topDown;
    this.texels = new float[3 * width * height];
    double max = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int argb = image.getRGB(x, y);
        int i = 3 * (y * width + x);
        for (int c = 0; c < 3; c++) {
          int v = (argb >>> (16 - 8 * c)) & 0xff;
          texels[i + c] = (float) (srgb ? SRGB_TO_LINEAR[v] : v / 255.0);
        }
        max = Math.max(max, new Rgb(texels[i], texels[i + 1], texels[i + 2]).luminance());
      }
    }
    this.maxLuminance = max;
  }

  long bytes() {
    return 4L * texels.length;
  }

  @Override
  public Rgb at(double u, double v) {
    double x = (u - Math.floor(u)) * width - 0.5;
    double vv = v - Math.floor(v);
    double y = (topDown ? vv : 1 - vv) * height - 0.5;
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    int xa = Math.floorMod(x0, width);
    int xb = Math.floorMod(x0 + 1, width);
    int ya = Math.floorMod(y0, height);
    int yb = Math.floorMod(y0 + 1, height);
    double[] out = new double[3];
    for (int c = 0; c < 3; c++) {
      double top = texels[3 * (ya * width + xa) + c] * (1 - fx) + texels[3 * (ya * width + xb) + c] * fx;
      double bottom = texels[3 * (yb * width + xa) + c] * (1 - fx) + texels[3 * (yb * width + xb) + c] * fx;
      out[c] = top * (1 - fy) + bottom * fy;
    }
    return new Rgb(out[0], out[1], out[2]);
  }

  @Override
  public double maxLuminance() {
    return maxLuminance;
  }
}
