package dev.tilefarm.worker.render.path;

/**
 * Uniform sample values for one pixel sample at a time. A sample's values must depend only on the job's seed,
 * the pixel's absolute coordinates, the sample index and the dimension (how many values the sample has
 * drawn so far), never on tiling, thread or the order in which pixels are rendered (pbrt-v4's
 * {@code StartPixelSample}). Not thread-safe: each rendering thread uses its own instance.
 */
interface Sampler {
  /** Starts sample {@code index} of pixel (x, y); the next value drawn is dimension 0. */
  void startPixelSample(int x, int y, int index);

  /** The value of the next dimension, in [0, 1). */
  double get1D();
}
