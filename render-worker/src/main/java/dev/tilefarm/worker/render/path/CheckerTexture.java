package dev.tilefarm.worker.render.path;

/** Alternating squares: {@code scale} of them along each of u and v over the unit square. */
record CheckerTexture(Rgb color1, Rgb color2, double scale) implements Texture {
  @Override
  public Rgb at(double u, double v) {
    long cell = (long) Math.floor(u * scale) + (long) Math.floor(v * scale);
    return (cell & 1) == 0 ? color1 : color2;
  }

  @Override
  public double maxLuminance() {
    return Math.max(color1.luminance(), color2.luminance());
  }
}
