package dev.tilefarm.worker.render.path;

/**
 * A public handle on the tracer's innermost loop, for benchmarks (the {@code bench} module) and diagnostics:
 * a triangle mesh with its BVH, and closest-hit and any-hit queries over plain arrays. The worker does not
 * use it. Not thread-safe: use one probe per thread (they may share a mesh through {@link #sharing}).
 */
public final class TraceProbe {
  private final TriangleMesh mesh;
  private final Scratch scratch = new Scratch();

  private TraceProbe(TriangleMesh mesh) {
    this.mesh = mesh;
  }

  /**
   * Builds the BVH over a mesh.
   *
   * @param positions x, y, z per vertex
   * @param indices three vertex indices per triangle
   */
  public static TraceProbe of(double[] positions, int[] indices) {
    return new TraceProbe(new TriangleMesh(positions, indices, null, null));
  }

  /** Another probe over the same mesh and BVH, with its own working memory (for another thread). */
  public TraceProbe sharing() {
    return new TraceProbe(mesh);
  }

  public int triangles() {
    return mesh.triangleCount;
  }

  /** The distance to the nearest hit of o + t d for t in (0, tMax), or +infinity. */
  public double closestHit(double ox, double oy, double oz, double dx, double dy, double dz, double tMax) {
    return mesh.intersect(ox, oy, oz, dx, dy, dz, tMax, scratch) ? scratch.t : Double.POSITIVE_INFINITY;
  }

  /** The input index of the triangle the last successful {@link #closestHit} found. */
  public int lastTriangle() {
    return scratch.triangle;
  }

  /** Whether anything lies on o + t d for t in (0, tMax). */
  public boolean anyHit(double ox, double oy, double oz, double dx, double dy, double dz, double tMax) {
    return mesh.occluded(ox, oy, oz, dx, dy, dz, tMax, scratch);
  }

  /**
   * BVH nodes visited by this probe's queries so far, each a test of a node's (up to four) child boxes; with
   * {@link #triangleTests}, where a ray's time goes. Counting is always on (it costs an add per step).
   */
  public long nodeVisits() {
    return scratch.nodeVisits;
  }

  /** Ray-triangle tests made by this probe's queries so far. */
  public long triangleTests() {
    return scratch.triangleTests;
  }
}
