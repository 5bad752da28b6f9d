package dev.tilefarm.worker.ops;

/**
 * A decoded input image on the Java heap: 8-bit samples in OpenCV's channel order (grey, BGR or BGRA), one
 * array per row. Rows rather than one array because a large image outgrows Java's 2 GiB array limit, and
 * heap arrays rather than a native Mat because a cached image may be read by several tiles while the cache
 * evicts it: the garbage collector, not a release() call, decides when it is gone.
 */
record DecodedImage(int width, int height, int channels, byte[][] rows) {
  long bytes() {
    return (long) width * height * channels;
  }
}
