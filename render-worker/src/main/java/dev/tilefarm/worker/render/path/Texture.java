package dev.tilefarm.worker.render.path;

/** A value that varies over a surface, looked up by texture coordinates. Immutable and thread-safe. */
interface Texture {
  /** The (linear) value at (u, v). */
  Rgb at(double u, double v);

  /** The largest value anywhere, for estimating a light's power. */
  double maxLuminance();
}
