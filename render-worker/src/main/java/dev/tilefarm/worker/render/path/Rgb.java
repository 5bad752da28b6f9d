package dev.tilefarm.worker.render.path;

/** Linear RGB radiance, reflectance or path throughput. Immutable. */
record Rgb(double r, double g, double b) {
  static final Rgb BLACK = new Rgb(0, 0, 0);
  static final Rgb WHITE = new Rgb(1, 1, 1);

  Rgb plus(Rgb o) {
    return new Rgb(r + o.r, g + o.g, b + o.b);
  }

  Rgb times(Rgb o) {
    return new Rgb(r * o.r, g * o.g, b * o.b);
  }

  Rgb times(double s) {
    return new Rgb(r * s, g * s, b * s);
  }

  double max() {
    return Math.max(r, Math.max(g, b));
  }

  double average() {
    return (r + g + b) / 3;
  }

  /** Rec. 709 luminance, the brightness a viewer sees. */
  double luminance() {
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  boolean isBlack() {
    return r == 0 && g == 0 && b == 0;
  }

  boolean isFinite() {
    return Double.isFinite(r) && Double.isFinite(g) && Double.isFinite(b);
  }
}
