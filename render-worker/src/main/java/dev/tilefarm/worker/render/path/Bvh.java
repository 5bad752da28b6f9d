package dev.tilefarm.worker.render.path;

/**
 * A bounding volume hierarchy over boxes, built with the surface area heuristic over binned centroids
 * (Wald, "On fast Construction of SAH-based Bounding Volume Hierarchies", 2007) and flattened into arrays
 * in depth-first order, so traversal touches two primitive arrays and no objects.
 *
 * <p>Node {@code n}: bounds at {@code bounds[6n .. 6n+5]} (min x, y, z, max x, y, z); {@code nodes[3n]} is
 * the first item of a leaf (into {@link #order}) or the right child of an interior node (the left child is
 * {@code n + 1}); {@code nodes[3n+1]} is the leaf's item count, 0 for an interior node; {@code nodes[3n+2]}
 * is the axis an interior node was split on, which orders traversal front to back.
 *
 * <p>The build is sequential and its ties are broken by item index, so one input always gives the same tree.
 */
final class Bvh {
  static final int MAX_DEPTH = 96;
  private static final int BINS = 32;
  /** SAH cost of one traversal step relative to one item test, unless the caller says otherwise. */
  private static final double TRAVERSAL_COST = 1.0;

  final double[] bounds;
  final int[] nodes;
  final int nodeCount;
  /** Item indices in leaf order. */
  final int[] order;

  private final double[] lo;
  private final double[] hi;
  private final double[] centroid;
  private final int maxLeaf;
  private final double traversalCost;
  private double[] b;
  private int[] nd;
  private int count;

  /**
   * @param lo min corners, 3 per item
   * @param hi max corners, 3 per item
   * @param maxLeaf most items a leaf holds when the heuristic would rather not split
   */
  Bvh(double[] lo, double[] hi, int maxLeaf) {
    this(lo, hi, maxLeaf, TRAVERSAL_COST);
  }

  /**
   * @param traversalCost SAH cost of one traversal step relative to one item test: higher gives fewer,
   *     larger leaves
   */
  Bvh(double[] lo, double[] hi, int maxLeaf, double traversalCost) {
    int n = lo.length / 3;
    if (n == 0) {
      throw new IllegalArgumentException("a BVH needs at least one item");
    }
    this.lo = lo;
    this.hi = hi;
    this.maxLeaf = maxLeaf;
    this.traversalCost = traversalCost;
    this.centroid = new double[3 * n];
    for (int i = 0; i < 3 * n; i++) {
      centroid[i] = 0.5 * (lo[i] + hi[i]);
    }
    this.order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    this.b = new double[6 * Math.max(1, 2 * n - 1)];
    this.nd = new int[3 * Math.max(1, 2 * n - 1)];
    build(0, n, 0);
    this.nodeCount = count;
    this.bounds = java.util.Arrays.copyOf(b, 6 * count);
    this.nodes = java.util.Arrays.copyOf(nd, 3 * count);
    this.b = null;
    this.nd = null;
  }

  private int build(int start, int end, int depth) {
    int node = count++;
    double[] box = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    double[] cbox = box.clone();
    for (int i = start; i < end; i++) {
      int it = order[i];
      for (int a = 0; a < 3; a++) {
        box[a] = Math.min(box[a], lo[3 * it + a]);
        box[3 + a] = Math.max(box[3 + a], hi[3 * it + a]);
        cbox[a] = Math.min(cbox[a], centroid[3 * it + a]);
        cbox[3 + a] = Math.max(cbox[3 + a], centroid[3 * it + a]);
      }
    }
    System.arraycopy(box, 0, b, 6 * node, 6);
    int n = end - start;
    if (n == 1 || depth >= MAX_DEPTH) {
      return leaf(node, start, n);
    }
    int axis = 0;
    for (int a = 1; a < 3; a++) {
      if (cbox[3 + a] - cbox[a] > cbox[3 + axis] - cbox[axis]) {
        axis = a;
      }
    }
    double extent = cbox[3 + axis] - cbox[axis];
    int mid;
    if (!(extent > 0)) {
      // All centroids coincide: no plane separates them, so halve by index.
      if (n <= maxLeaf) {
        return leaf(node, start, n);
      }
      mid = start + n / 2;
    } else {
      mid = sahSplit(start, end, axis, cbox[axis], extent, box, n);
      if (mid < 0) {
        return leaf(node, start, n);
      }
    }
    nd[3 * node + 2] = axis;
    build(start, mid, depth + 1);
    nd[3 * node] = build(mid, end, depth + 1);
    nd[3 * node + 1] = 0;
    return node;
  }

  /** Partitions [start, end) at the cheapest bin boundary; -1 if a leaf is cheaper and small enough. */
  private int sahSplit(int start, int end, int axis, double cmin, double extent, double[] box, int n) {
    int[] binCount = new int[BINS];
    double[] binBox = new double[6 * BINS];
    for (int i = 0; i < BINS; i++) {
      binBox[6 * i] = binBox[6 * i + 1] = binBox[6 * i + 2] = Double.POSITIVE_INFINITY;
      binBox[6 * i + 3] = binBox[6 * i + 4] = binBox[6 * i + 5] = Double.NEGATIVE_INFINITY;
    }
    double scale = BINS / extent;
    for (int i = start; i < end; i++) {
      int it = order[i];
      int bin = Math.min(BINS - 1, (int) ((centroid[3 * it + axis] - cmin) * scale));
      binCount[bin]++;
      for (int a = 0; a < 3; a++) {
        binBox[6 * bin + a] = Math.min(binBox[6 * bin + a], lo[3 * it + a]);
        binBox[6 * bin + 3 + a] = Math.max(binBox[6 * bin + 3 + a], hi[3 * it + a]);
      }
    }
    // Sweep from the right to get the cost of every right part, then from the left.
    double[] rightArea = new double[BINS];
    int[] rightCount = new int[BINS];
    double[] acc = empty();
    int c = 0;
    for (int i = BINS - 1; i > 0; i--) {
      grow(acc, binBox, i);
      c += binCount[i];
      rightArea[i] = area(acc);
      rightCount[i] = c;
    }
    acc = empty();
    c = 0;
    double best = Double.POSITIVE_INFINITY;
    int bestBin = -1;
    for (int i = 0; i < BINS - 1; i++) {
      grow(acc, binBox, i);
      c += binCount[i];
      if (c == 0 || rightCount[i + 1] == 0) {
        continue;
      }
      double cost = c * area(acc) + rightCount[i + 1] * rightArea[i + 1];
      if (cost < best) {
        best = cost;
        bestBin = i;
      }
    }
    double parentArea = area(box);
    double splitCost = traversalCost + (parentArea > 0 ? best / parentArea : n);
    if (bestBin < 0 || (splitCost >= n && n <= maxLeaf)) {
      if (n <= maxLeaf) {
        return -1;
      }
      if (bestBin < 0) {
        return start + n / 2;
      }
    }
    // Stable partition by bin, so the tree depends on the input order only.
    int[] tmp = new int[n];
    int left = 0;
    for (int i = start; i < end; i++) {
      int it = order[i];
      int bin = Math.min(BINS - 1, (int) ((centroid[3 * it + axis] - cmin) * scale));
      if (bin <= bestBin) {
        tmp[left++] = it;
      }
    }
    int right = left;
    for (int i = start; i < end; i++) {
      int it = order[i];
      int bin = Math.min(BINS - 1, (int) ((centroid[3 * it + axis] - cmin) * scale));
      if (bin > bestBin) {
        tmp[right++] = it;
      }
    }
    System.arraycopy(tmp, 0, order, start, n);
    return start + left;
  }

  private int leaf(int node, int start, int n) {
    nd[3 * node] = start;
    nd[3 * node + 1] = n;
    nd[3 * node + 2] = 0;
    return node;
  }

  private static double[] empty() {
    return new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
  }

  private static void grow(double[] acc, double[] boxes, int i) {
    for (int a = 0; a < 3; a++) {
      acc[a] = Math.min(acc[a], boxes[6 * i + a]);
      acc[3 + a] = Math.max(acc[3 + a], boxes[6 * i + 3 + a]);
    }
  }

  private static double area(double[] box) {
    double x = box[3] - box[0];
    double y = box[4] - box[1];
    double z = box[5] - box[2];
    if (!(x >= 0) || !(y >= 0) || !(z >= 0)) {
      return 0;
    }
    return 2 * (x * y + y * z + z * x);
  }

  /** Bytes the flattened tree holds, for the prepared-scene cache's accounting. */
  long bytes() {
    return 8L * bounds.length + 4L * nodes.length + 4L * order.length;
  }
}
