package dev.tilefarm.worker.render.path;

/**
 * Per-thread working memory of ray queries: traversal stacks and the nearest hit found so far, so that
 * tracing a ray allocates nothing. Not thread-safe: each rendering thread owns one.
 */
final class Scratch {
  /** Deep enough for any tree {@link Bvh} builds (it caps depth below this). */
  static final int STACK = Bvh.MAX_DEPTH + 8;

  final int[] topStack = new int[STACK];
  final int[] meshStack = new int[TriangleMesh.STACK];
  /** Entry distances of the pending mesh nodes, so that ones beyond the nearest hit are skipped. */
  final double[] meshStackT = new double[TriangleMesh.STACK];
  /** Entry distances of the children of the mesh node in hand. */
  final float[] meshNear = new float[4];

  /** Distance to the nearest hit so far. */
  double t;
  /**
   * The hit's top-level primitive (as {@link Accel} numbers them: an item, or {@code ~i} for plane i), triangle
   * (in the mesh's own order) and barycentric coordinates.
   */
  int primitive;
  int triangle;
  double u;
  double v;

  /** Nodes (each a test of up to four child boxes) the mesh traversals of this thread have visited. */
  long nodeVisits;
  /** Ray-triangle tests the mesh traversals of this thread have made. */
  long triangleTests;

  /** Adds one traversal's work to the counters. */
  void count(int nodes, int triangles) {
    nodeVisits += nodes;
    triangleTests += triangles;
  }
}
