package dev.tilefarm.worker.render.path;

/** Turns positions on the image into primary rays. Immutable and thread-safe. */
interface Camera {
  /**
   * The ray through raster position (x, y) of the full image: x from 0 (left edge) to width, y from 0 (top
   * edge) to height; pixel (i, j) covers [i, i+1) x [j, j+1). {@code lensU, lensV} in [0, 1) pick the point
   * on the lens (ignored by a pinhole).
   */
  Ray generateRay(double x, double y, double lensU, double lensV);
}
