package dev.tilefarm.worker.render.path;

/**
 * Triangles in their own (object) space with a {@link Bvh} over them: the shared geometry of every instance
 * of one mesh. The hot loop of the tracer lives here, written over flat arrays so that a ray query
 * allocates nothing: nodes and triangles share one float array (each leaf's triangles, as first vertex and
 * two edges for the Möller-Trumbore test, right after the leaf), and traversal visits the nearer child first.
 *
 * <p>Triangles are two-sided for intersection. Vertex normals and uvs are optional. Immutable and
 * thread-safe after construction.
 */
final class TriangleMesh {
  /** Items per leaf when the heuristic would rather not split further. */
  private static final int MAX_LEAF = 4;
  /** Widens box exits against rounding, so that a triangle on a box face is never culled (pbrt's 1 + 2 gamma(3)). */
  private static final double BOX_SLACK = 1 + 1e-12;

  final int triangleCount;
  final double[] positions;
  final int[] indices;
  final double[] normals;
  final double[] uvs;
  /** The input index of the triangle at each leaf slot. */
  final int[] original;
  /**
   * The BVH and the triangles in one float stream, in depth-first order. A node at offset {@code o} is 8
   * floats: min x, y, z and max x, y, z (rounded outward from the double bounds, so the boxes stay
   * conservative), then as raw int bits the offset of the right child (interior: the left child follows at
   * {@code o + 8}) or the first triangle slot (leaf), and the triangle count (0 for an interior node). A
   * leaf's triangles follow it at {@code o + 8}, 9 floats each: v0, e1 and e2 of the Moller-Trumbore test,
   * as floats (half the memory traffic of doubles, and the precision the mesh formats store anyway; the test
   * itself runs in double). Keeping them next to their leaf, whose box was just read from the parent, turns
   * the random memory access a leaf used to cost into a sequential one.
   */
  private final float[] stream;
  /** Object-space bounds: min x, y, z, max x, y, z. */
  final double[] bounds;
  private final long bytes;

  /**
   * @param positions x, y, z of each vertex
   * @param indices three vertex indices per triangle
   * @param normals per-vertex normals as positions are laid out, or null
   * @param uvs u, v of each vertex, or null
   */
  TriangleMesh(double[] positions, int[] indices, double[] normals, double[] uvs) {
    if (indices.length == 0 || indices.length % 3 != 0) {
      throw new IllegalArgumentException("a mesh needs a positive multiple of 3 indices, got " + indices.length);
    }
    int vertices = positions.length / 3;
    for (int i : indices) {
      if (i < 0 || i >= vertices) {
        throw new IllegalArgumentException("vertex index " + i + " is outside the mesh's " + vertices + " vertices");
      }
    }
    this.positions = positions;
    this.indices = indices;
    this.normals = normals;
    this.uvs = uvs;
    this.triangleCount = indices.length / 3;
    double[] lo = new double[3 * triangleCount];
    double[] hi = new double[3 * triangleCount];
    for (int t = 0; t < triangleCount; t++) {
      for (int a = 0; a < 3; a++) {
        double p0 = positions[3 * indices[3 * t] + a];
        double p1 = positions[3 * indices[3 * t + 1] + a];
        double p2 = positions[3 * indices[3 * t + 2] + a];
        lo[3 * t + a] = Math.min(p0, Math.min(p1, p2));
        hi[3 * t + a] = Math.max(p0, Math.max(p1, p2));
      }
    }
    Bvh bvh = new Bvh(lo, hi, MAX_LEAF);
    this.original = bvh.order;
    this.bounds = java.util.Arrays.copyOf(bvh.bounds, 6);
    this.stream = new float[8 * bvh.nodeCount + 9 * triangleCount];
    // Offsets of the nodes in the stream; nodes come in depth-first order, so a node's offset is known
    // before its right child (a later node) is placed.
    int[] at = new int[bvh.nodeCount];
    int o = 0;
    for (int n = 0; n < bvh.nodeCount; n++) {
      at[n] = o;
      for (int a = 0; a < 3; a++) {
        stream[o + a] = Math.nextDown((float) bvh.bounds[6 * n + a]);
        stream[o + 3 + a] = Math.nextUp((float) bvh.bounds[6 * n + 3 + a]);
      }
      int count = bvh.nodes[3 * n + 1];
      stream[o + 7] = Float.intBitsToFloat(count);
      o += 8;
      if (count > 0) {
        int first = bvh.nodes[3 * n];
        stream[o - 2] = Float.intBitsToFloat(first);
        for (int slot = first; slot < first + count; slot++, o += 9) {
          int t = original[slot];
          int i0 = 3 * indices[3 * t];
          int i1 = 3 * indices[3 * t + 1];
          int i2 = 3 * indices[3 * t + 2];
          for (int a = 0; a < 3; a++) {
            stream[o + a] = (float) positions[i0 + a];
            stream[o + 3 + a] = (float) (positions[i1 + a] - positions[i0 + a]);
            stream[o + 6 + a] = (float) (positions[i2 + a] - positions[i0 + a]);
          }
        }
      }
    }
    for (int n = 0; n < bvh.nodeCount; n++) {
      if (bvh.nodes[3 * n + 1] == 0) {
        stream[at[n] + 6] = Float.intBitsToFloat(at[bvh.nodes[3 * n]]);
      }
    }
    this.bytes = 4L * stream.length + 4L * original.length + 8L * positions.length + 4L * indices.length
        + (normals == null ? 0 : 8L * normals.length) + (uvs == null ? 0 : 8L * uvs.length);
  }

  long bytes() {
    return bytes;
  }

  /**
   * The nearest hit along o + t d for t in (0, tMax): on a hit, sets {@code s.t}, {@code s.triangle} (the
   * input index), {@code s.u} and {@code s.v} (barycentric weights of the second and third vertex) and returns
   * true. {@code d} need not be a unit vector.
   */
  boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, double tMax, Scratch s) {
    return trace(ox, oy, oz, dx, dy, dz, 1 / dx, 1 / dy, 1 / dz, tMax, s, false);
  }

  /**
   * {@link #intersect} for a caller that already holds {@code 1 / dx, 1 / dy, 1 / dz} (the top level, for an
   * instance it does not transform): the same divisions, so the same bits, done once per ray.
   */
  boolean intersect(double ox, double oy, double oz, double dx, double dy, double dz, double idx, double idy,
      double idz, double tMax, Scratch s) {
    return trace(ox, oy, oz, dx, dy, dz, idx, idy, idz, tMax, s, false);
  }

  /** Whether any triangle lies on o + t d for t in (0, tMax). */
  boolean occluded(double ox, double oy, double oz, double dx, double dy, double dz, double tMax, Scratch s) {
    return trace(ox, oy, oz, dx, dy, dz, 1 / dx, 1 / dy, 1 / dz, tMax, s, true);
  }

  /** {@link #occluded} with the direction's reciprocals given, as for {@link #intersect}. */
  boolean occluded(double ox, double oy, double oz, double dx, double dy, double dz, double idx, double idy,
      double idz, double tMax, Scratch s) {
    return trace(ox, oy, oz, dx, dy, dz, idx, idy, idz, tMax, s, true);
  }

  /**
   * Front-to-back traversal that tests both children's boxes at their parent, descends into the nearer and
   * pushes the farther with its entry distance, so that popped nodes beyond the nearest hit so far are
   * skipped without touching their memory. One node is 32 bytes: two per cache line. Nodes are named by
   * their offset in {@link #stream}.
   */
  private boolean trace(double ox, double oy, double oz, double dx, double dy, double dz, final double idx,
      final double idy, final double idz, double tMax, Scratch s, boolean any) {
    // Offsets of the near and far planes within a node, chosen once per ray by the direction's signs.
    final int nx = idx < 0 ? 3 : 0;
    final int ny = idy < 0 ? 4 : 1;
    final int nz = idz < 0 ? 5 : 2;
    final int fx = 3 - nx;
    final int fy = 5 - ny;
    final int fz = 7 - nz;
    final float[] nb = stream;
    final int[] stack = s.meshStack;
    final double[] stackT = s.meshStackT;
    double best = tMax;
    int bestSlot = -1;
    double bestU = 0;
    double bestV = 0;
    int sp = 0;
    if (box(nb, 0, nx, ny, nz, fx, fy, fz, ox, oy, oz, idx, idy, idz, best) == MISS) {
      return false;
    }
    int o = 0;
    while (true) {
      int info = Float.floatToRawIntBits(nb[o + 7]);
      if (info > 0) {
        int first = Float.floatToRawIntBits(nb[o + 6]);
        int p = o + 8;
        for (int slot = first, end = first + info; slot < end; slot++, p += 9) {
          double e1x = nb[p + 3], e1y = nb[p + 4], e1z = nb[p + 5];
          double e2x = nb[p + 6], e2y = nb[p + 7], e2z = nb[p + 8];
          double px = dy * e2z - dz * e2y;
          double py = dz * e2x - dx * e2z;
          double pz = dx * e2y - dy * e2x;
          double det = e1x * px + e1y * py + e1z * pz;
          if (det == 0) {
            continue;
          }
          double inv = 1 / det;
          double tx = ox - nb[p], ty = oy - nb[p + 1], tz = oz - nb[p + 2];
          double u = (tx * px + ty * py + tz * pz) * inv;
          if (u < 0 || u > 1) {
            continue;
          }
          double qx = ty * e1z - tz * e1y;
          double qy = tz * e1x - tx * e1z;
          double qz = tx * e1y - ty * e1x;
          double v = (dx * qx + dy * qy + dz * qz) * inv;
          if (v < 0 || u + v > 1) {
            continue;
          }
          double t = (e2x * qx + e2y * qy + e2z * qz) * inv;
          if (t > 0 && t < best) {
            if (any) {
              return true;
            }
            best = t;
            bestSlot = slot;
            bestU = u;
            bestV = v;
          }
        }
      } else {
        int left = o + 8;
        int right = Float.floatToRawIntBits(nb[o + 6]);
        double tl = box(nb, left, nx, ny, nz, fx, fy, fz, ox, oy, oz, idx, idy, idz, best);
        double tr = box(nb, right, nx, ny, nz, fx, fy, fz, ox, oy, oz, idx, idy, idz, best);
        if (tl != MISS) {
          if (tr != MISS) {
            if (tl <= tr) {
              stack[sp] = right;
              stackT[sp++] = tr;
              o = left;
            } else {
              stack[sp] = left;
              stackT[sp++] = tl;
              o = right;
            }
          } else {
            o = left;
          }
          continue;
        } else if (tr != MISS) {
          o = right;
          continue;
        }
      }
      // Pop the nearest pending node that could still hold something nearer than the best hit.
      do {
        if (sp == 0) {
          if (bestSlot < 0) {
            return false;
          }
          s.t = best;
          s.triangle = original[bestSlot];
          s.u = bestU;
          s.v = bestV;
          return true;
        }
        o = stack[--sp];
      } while (stackT[sp] > best);
    }
  }

  private static final double MISS = Double.POSITIVE_INFINITY;

  /** Entry distance of the ray into node box at offset {@code o}, or {@link #MISS}. */
  private static double box(float[] nb, int o, int nx, int ny, int nz, int fx, int fy, int fz, double ox, double oy,
      double oz, double idx, double idy, double idz, double tMax) {
    // Written so that a NaN (0 * infinity, a ray in a slab's plane) never narrows the interval.
    double tmin = 0;
    double tmax = tMax;
    double a = (nb[o + nx] - ox) * idx;
    double b = (nb[o + fx] - ox) * idx;
    if (a > tmin) tmin = a;
    if (b < tmax) tmax = b;
    a = (nb[o + ny] - oy) * idy;
    b = (nb[o + fy] - oy) * idy;
    if (a > tmin) tmin = a;
    if (b < tmax) tmax = b;
    a = (nb[o + nz] - oz) * idz;
    b = (nb[o + fz] - oz) * idz;
    if (a > tmin) tmin = a;
    if (b < tmax) tmax = b;
    return tmin <= tmax * BOX_SLACK ? tmin : MISS;
  }

  /** The vertex index {@code corner} (0-2) of input triangle {@code t}. */
  int vertex(int t, int corner) {
    return indices[3 * t + corner];
  }
}
