package dev.tilefarm.bench.tracer;

/**
 * A procedural test mesh: a latitude-longitude sphere of radius about 1 whose vertices are pushed in and
 * out by a hash (a rough, asteroid-like surface), so that the BVH cannot exploit a perfectly regular shape.
 * {@code rings x segments} quads, two triangles each (less the degenerate ones at the poles).
 */
final class NoisySphere {
  final double[] positions;
  final int[] indices;

  NoisySphere(int rings, int segments, long seed) {
    positions = new double[3 * (rings + 1) * segments];
    for (int r = 0; r <= rings; r++) {
      double theta = Math.PI * r / rings;
      for (int s = 0; s < segments; s++) {
        double phi = 2 * Math.PI * s / segments;
        double radius = 1 + 0.04 * (unit(seed, r, s) - 0.5);
        int v = 3 * (r * segments + s);
        positions[v] = radius * Math.sin(theta) * Math.cos(phi);
        positions[v + 1] = radius * Math.cos(theta);
        positions[v + 2] = radius * Math.sin(theta) * Math.sin(phi);
      }
    }
    int[] idx = new int[6 * rings * segments];
    int n = 0;
    for (int r = 0; r < rings; r++) {
      for (int s = 0; s < segments; s++) {
        int a = r * segments + s;
        int b = r * segments + (s + 1) % segments;
        int c = (r + 1) * segments + s;
        int d = (r + 1) * segments + (s + 1) % segments;
        if (r > 0) {
          idx[n++] = a;
          idx[n++] = c;
          idx[n++] = b;
        }
        if (r < rings - 1) {
          idx[n++] = b;
          idx[n++] = c;
          idx[n++] = d;
        }
      }
    }
    indices = java.util.Arrays.copyOf(idx, n);
  }

  int triangles() {
    return indices.length / 3;
  }

  /** A uniform value in [0, 1) from a SplitMix64 hash of (seed, a, b). */
  static double unit(long seed, long a, long b) {
    long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53;
  }
}
