package dev.tilefarm.worker.render.path;

import java.util.Arrays;

/**
 * Triangles in their own (object) space with a BVH over them: the shared geometry of every instance of one
 * mesh. The hot loop of the tracer lives here, written over one flat float array so that a ray query
 * allocates nothing and touches few cache lines (see {@link #stream}).
 *
 * <p>Triangles are two-sided for intersection. Vertex normals and uvs are optional. Immutable and
 * thread-safe after construction.
 */
final class TriangleMesh {
  /** Items per leaf of the binary build when the heuristic would rather not split further. */
  private static final int MAX_LEAF = 8;
  /**
   * SAH cost of a traversal step relative to one triangle test in the binary build: a 4-wide node tests four
   * boxes, so a leaf may hold a few more triangles than with the binary tracer's 1. On the benchmark mesh,
   * (leaf, cost) of (4, 1), (8, 2), (8, 4) and (16, 3) ran within noise of each other.
   */
  private static final double TRAVERSAL_COST = 2.0;
  /** Children per node of the traced tree. */
  private static final int WIDTH = 4;
  /** Floats per node: six planes of four child boxes, then four child handles. */
  private static final int NODE = 7 * WIDTH;
  /** Floats per triangle: v0, e1, e2 and the input index (as int bits). */
  private static final int TRI = 10;
  /** Stack entries a trace can need: up to WIDTH - 1 pending siblings per level, plus the node in hand. */
  static final int STACK = (WIDTH - 1) * (Bvh.MAX_DEPTH + 1) + WIDTH;

  final int triangleCount;
  final double[] positions;
  final int[] indices;
  final double[] normals;
  final double[] uvs;
  /**
   * A 4-wide BVH (the binary SAH {@link Bvh} collapsed: each node takes in the children of its largest
   * interior children until it has four) and the triangles, in one float stream in depth-first order. This is
   * data-oriented on purpose (memory traffic and branches, not arithmetic, bound a ray's time), so the layout
   * is chosen for the traversal, not for reading.
   *
   * <p>A node at offset {@code o} is {@link #NODE} floats: min x of its four children at {@code o .. o+3},
   * then min y, min z, max x, max y, max z likewise (structure of arrays, rounded outward from the double
   * bounds, so the boxes stay conservative; an unused child has an empty box, min +inf and max -inf, that
   * every ray misses), then four child handles as raw int bits. A handle {@code h >= 0} is the offset of an
   * interior node; {@code h < 0} is a leaf at offset {@code ~h}: its triangle count as int bits, then
   * {@link #TRI} floats per triangle (v0, e1 and e2 of the Möller-Trumbore test as floats, and the
   * triangle's input index). A node's leaves follow it directly, so one node fetch is followed by sequential
   * reads of its leaves.
   */
  private final float[] stream;
  /**
   * Where traversal starts: the root node, or for a mesh that is a single leaf (a quad, a box) the leaf
   * itself, since the caller has already tested the mesh's bounds and three empty boxes would be wasted.
   */
  private final int entry;
  /** Build state, released once the stream is written. */
  private int size;
  private float[] building;
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
    Bvh bvh = new Bvh(lo, hi, MAX_LEAF, TRAVERSAL_COST);
    this.bounds = Arrays.copyOf(bvh.bounds, 6);
    this.building = new float[NODE * bvh.nodeCount + 1 + (TRI + 1) * triangleCount];
    emit(bvh, 0);
    this.stream = Arrays.copyOf(building, size);
    this.entry = bvh.nodes[1] > 0 ? Float.floatToRawIntBits(stream[6 * WIDTH]) : 0;
    this.building = null;
    this.bytes = 4L * stream.length + 8L * positions.length + 4L * indices.length
        + (normals == null ? 0 : 8L * normals.length) + (uvs == null ? 0 : 8L * uvs.length);
  }

  /** Writes the 4-wide node standing for binary node {@code n}, its leaves, then its interior children. */
  private int emit(Bvh bvh, int n) {
    int[] kids = new int[WIDTH];
    int k;
    if (bvh.nodes[3 * n + 1] > 0) {
      // A mesh small enough to be one leaf: a root with a single child.
      kids[0] = n;
      k = 1;
    } else {
      kids[0] = n + 1;
      kids[1] = bvh.nodes[3 * n];
      k = 2;
      // Open the largest interior child until the node is full, as Embree's BVH4 collapse does.
      while (k < WIDTH) {
        int pick = -1;
        double pickArea = -1;
        for (int i = 0; i < k; i++) {
          int c = kids[i];
          if (bvh.nodes[3 * c + 1] == 0 && area(bvh.bounds, c) > pickArea) {
            pick = i;
            pickArea = area(bvh.bounds, c);
          }
        }
        if (pick < 0) {
          break;
        }
        int c = kids[pick];
        kids[pick] = c + 1;
        kids[k++] = bvh.nodes[3 * c];
      }
    }
    int o = size;
    size += NODE;
    float[] st = building;
    for (int i = 0; i < WIDTH; i++) {
      for (int a = 0; a < 3; a++) {
        st[o + WIDTH * a + i] = i < k ? Math.nextDown((float) bvh.bounds[6 * kids[i] + a]) : Float.POSITIVE_INFINITY;
        st[o + WIDTH * (3 + a) + i] =
            i < k ? Math.nextUp((float) bvh.bounds[6 * kids[i] + 3 + a]) : Float.NEGATIVE_INFINITY;
      }
    }
    for (int i = 0; i < k; i++) {
      int c = kids[i];
      int count = bvh.nodes[3 * c + 1];
      if (count == 0) {
        continue;
      }
      int leaf = size;
      st[o + 6 * WIDTH + i] = Float.intBitsToFloat(~leaf);
      st[leaf] = Float.intBitsToFloat(count);
      int p = leaf + 1;
      int first = bvh.nodes[3 * c];
      for (int slot = first; slot < first + count; slot++, p += TRI) {
        int t = bvh.order[slot];
        int i0 = 3 * indices[3 * t];
        int i1 = 3 * indices[3 * t + 1];
        int i2 = 3 * indices[3 * t + 2];
        for (int a = 0; a < 3; a++) {
          st[p + a] = (float) positions[i0 + a];
          st[p + 3 + a] = (float) (positions[i1 + a] - positions[i0 + a]);
          st[p + 6 + a] = (float) (positions[i2 + a] - positions[i0 + a]);
        }
        st[p + 9] = Float.intBitsToFloat(t);
      }
      size = p;
    }
    for (int i = 0; i < k; i++) {
      int c = kids[i];
      if (bvh.nodes[3 * c + 1] == 0) {
        st[o + 6 * WIDTH + i] = Float.intBitsToFloat(emit(bvh, c));
      }
    }
    return o;
  }

  private static double area(double[] b, int n) {
    double x = b[6 * n + 3] - b[6 * n];
    double y = b[6 * n + 4] - b[6 * n + 1];
    double z = b[6 * n + 5] - b[6 * n + 2];
    return x * y + y * z + z * x;
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
   * instance it does not transform), so the divisions are done once per ray.
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

  private static final float FLOAT_SLACK = 1.000001f;

  /** {@code 1 / d} as a float, with infinity replaced by the largest finite float of its sign. */
  private static float floatReciprocal(double reciprocal) {
    float f = (float) reciprocal;
    return Float.isInfinite(f) ? Math.copySign(Float.MAX_VALUE, f) : f;
  }

  /**
   * {@code o} rounded to float in the direction of travel ({@code reciprocal}'s sign): measured from there, a
   * slab's near plane is never reached later than from {@code o}. With the sign flipped, the far plane is
   * never left sooner.
   */
  private static float nearOrigin(double o, float reciprocal) {
    float f = (float) o;
    if (reciprocal >= 0) {
      return f < o ? Math.nextUp(f) : f;
    }
    return f > o ? Math.nextDown(f) : f;
  }

  /** A reciprocal direction component with infinity replaced by the largest finite double of its sign. */
  static double finite(double reciprocal) {
    return Double.isInfinite(reciprocal) ? Math.copySign(Double.MAX_VALUE, reciprocal) : reciprocal;
  }

  /**
   * Front-to-back traversal: at a node, all four child boxes are tested; a lone entered child is visited
   * next, several are pushed with their entry distances in far-to-near order and the nearest is popped next
   * (the order of pushing all and popping the nearest); popped entries beyond the nearest hit so far are
   * skipped without touching their memory. Boxes are tested in float, conservatively (they only cull);
   * triangles by Möller-Trumbore in double over float v0, e1 and e2, so a hit's distance and barycentrics
   * are as exact as the stored triangle. With {@code any}, the first hit found ends it (an
   * occlusion query); otherwise the nearest, set in {@code s} as {@link #intersect} says.
   */
  boolean trace(double ox, double oy, double oz, double dx, double dy, double dz, double idx, double idy,
      double idz, double tMax, Scratch s, boolean any) {
    // A zero direction component would give 0 * infinity = NaN in a slab test when the origin lies exactly
    // on a box face, and the branch-free min and max pass NaN on. The largest finite reciprocal gives 0
    // there instead; the boxes are rounded outward, so no triangle lies on a face such a ray could miss.
    idx = finite(idx);
    idy = finite(idy);
    idz = finite(idz);
    // Offsets of the near and far plane rows within a node, chosen once per ray by the direction's signs.
    final int nx = idx < 0 ? 3 * WIDTH : 0;
    final int ny = idy < 0 ? 4 * WIDTH : WIDTH;
    final int nz = idz < 0 ? 5 * WIDTH : 2 * WIDTH;
    final int fx = 3 * WIDTH - nx;
    final int fy = 5 * WIDTH - ny;
    final int fz = 7 * WIDTH - nz;
    // Boxes are tested in float (no conversions: about 15% faster than double over the float planes). To
    // stay conservative, near planes are measured from the origin rounded forward and far planes from it
    // rounded back, and the far distance gets pbrt's 1 + 2 gamma(3) slack (rounded up to 1e-6) for the
    // float subtract and multiply. A single-leaf mesh tests no box, so it skips this set-up.
    float fidx = 0, fidy = 0, fidz = 0, nox = 0, noy = 0, noz = 0, fox = 0, foy = 0, foz = 0;
    if (entry >= 0) {
      fidx = floatReciprocal(idx);
      fidy = floatReciprocal(idy);
      fidz = floatReciprocal(idz);
      nox = nearOrigin(ox, fidx);
      noy = nearOrigin(oy, fidy);
      noz = nearOrigin(oz, fidz);
      fox = nearOrigin(ox, -fidx);
      foy = nearOrigin(oy, -fidy);
      foz = nearOrigin(oz, -fidz);
    }
    final float[] nb = stream;
    final int[] stack = s.meshStack;
    final double[] stackT = s.meshStackT;
    final float[] near = s.meshNear;
    double best = tMax;
    float fBest = Math.nextUp((float) tMax);
    int bestTriangle = -1;
    double bestU = 0;
    double bestV = 0;
    int sp = 0;
    int h = entry;
    // Work counters for diagnostics (TraceProbe): kept in locals, so counting costs an add per step.
    int nodes = 0;
    int tested = 0;
    while (true) {
      if (h >= 0) {
        nodes++;
        // Test all four boxes before branching on any: which children a ray enters is a coin flip with
        // incoherent rays, so one branch on the mask of hit children costs far less than four.
        int mask = 0;
        for (int i = 0; i < WIDTH; i++) {
          int o = h + i;
          // Branch-free min and max, for the same reason.
          float tmin = Math.max(Math.max((nb[o + nx] - nox) * fidx, (nb[o + ny] - noy) * fidy),
              Math.max((nb[o + nz] - noz) * fidz, 0f));
          float tmax = Math.min(Math.min((nb[o + fx] - fox) * fidx, (nb[o + fy] - foy) * fidy),
              Math.min((nb[o + fz] - foz) * fidz, fBest));
          near[i] = tmin;
          mask |= (tmin <= tmax * FLOAT_SLACK ? 1 : 0) << i;
        }
        if (mask != 0 && (mask & (mask - 1)) == 0) {
          // One child entered (the common case near the leaves): go straight to it, nothing pushed.
          h = Float.floatToRawIntBits(nb[h + 6 * WIDTH + Integer.numberOfTrailingZeros(mask)]);
          continue;
        }
        int base = sp;
        for (int m = mask; m != 0; m &= m - 1) {
          int i = Integer.numberOfTrailingZeros(m);
          // Lowered by the same slack, so that culling it against the (double) best hit stays conservative.
          double entry = near[i] * (2 - FLOAT_SLACK);
          // Insert keeping this node's entries sorted far to near, so the nearest is popped first.
          int j = sp++;
          while (j > base && stackT[j - 1] < entry) {
            stack[j] = stack[j - 1];
            stackT[j] = stackT[j - 1];
            j--;
          }
          stack[j] = Float.floatToRawIntBits(nb[h + 6 * WIDTH + i]);
          stackT[j] = entry;
        }
      } else {
        int leaf = ~h;
        int count = Float.floatToRawIntBits(nb[leaf]);
        for (int p = leaf + 1, end = p + TRI * count; p < end; p += TRI) {
          tested++;
          double e1x = nb[p + 3], e1y = nb[p + 4], e1z = nb[p + 5];
          double e2x = nb[p + 6], e2y = nb[p + 7], e2z = nb[p + 8];
          double px = dy * e2z - dz * e2y;
          double py = dz * e2x - dx * e2z;
          double pz = dx * e2y - dy * e2x;
          double det = e1x * px + e1y * py + e1z * pz;
          double inv = 1 / det;
          double tx = ox - nb[p], ty = oy - nb[p + 1], tz = oz - nb[p + 2];
          double u = (tx * px + ty * py + tz * pz) * inv;
          double qx = ty * e1z - tz * e1y;
          double qy = tz * e1x - tx * e1z;
          double qz = tx * e1y - ty * e1x;
          double v = (dx * qx + dy * qy + dz * qz) * inv;
          double t = (e2x * qx + e2y * qy + e2z * qz) * inv;
          // One test for u >= 0, v >= 0 and u + v <= 1 instead of three unpredictable branches; a zero
          // determinant gives NaN here, which fails it.
          if (Math.min(Math.min(u, v), 1 - (u + v)) >= 0 && t > 0 && t < best) {
            if (any) {
              s.count(nodes, tested);
              return true;
            }
            best = t;
            fBest = Math.nextUp((float) t);
            bestTriangle = Float.floatToRawIntBits(nb[p + 9]);
            bestU = u;
            bestV = v;
          }
        }
      }
      // Pop the nearest pending entry that could still hold something nearer than the best hit.
      do {
        if (sp == 0) {
          s.count(nodes, tested);
          if (bestTriangle < 0) {
            return false;
          }
          s.t = best;
          s.triangle = bestTriangle;
          s.u = bestU;
          s.v = bestV;
          return true;
        }
        h = stack[--sp];
      } while (stackT[sp] > best);
    }
  }

  /** The vertex index {@code corner} (0-2) of input triangle {@code t}. */
  int vertex(int t, int corner) {
    return indices[3 * t + corner];
  }
}
