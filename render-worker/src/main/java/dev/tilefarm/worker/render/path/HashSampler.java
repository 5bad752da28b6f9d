package dev.tilefarm.worker.render.path;

/**
 * Independent uniform values from a stateless hash of (seed, x, y, sample index, dimension): no generator
 * state is carried from one pixel or sample to the next, so any pixel can be rendered alone, in any order,
 * and get the same values. The mixing function is the SplitMix64 finalizer (Stafford's "Mix13"), a
 * bijection on 64 bits with full avalanche.
 */
final class HashSampler implements Sampler {
  private final long seedKey;
  private long sampleKey;
  private int dimension;

  HashSampler(long seed) {
    this.seedKey = mix(seed ^ 0x9E3779B97F4A7C15L);
  }

  @Override
  public void startPixelSample(int x, int y, int index) {
    long pixelKey = mix(seedKey ^ pack(x, y));
    sampleKey = mix(pixelKey + 0xD1B54A32D192ED03L * (index + 1L));
    dimension = 0;
  }

  @Override
  public double get1D() {
    long h = mix(sampleKey ^ (0x9E3779B97F4A7C15L * (dimension + 1L)));
    dimension++;
    // The top 53 bits as a fraction: exactly representable, uniform on [0, 1), never 1.
    return (h >>> 11) * 0x1.0p-53;
  }

  private static long pack(int a, int b) {
    return ((long) a << 32) | (b & 0xFFFFFFFFL);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
