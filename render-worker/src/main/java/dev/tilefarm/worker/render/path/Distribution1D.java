package dev.tilefarm.worker.render.path;

/**
 * A piecewise-constant density on [0, 1) proportional to non-negative weights, sampled by inverting its
 * cumulative distribution (pbrt's {@code PiecewiseConstant1D}). All-zero weights give the uniform density.
 */
final class Distribution1D {
  final double[] func;
  final double[] cdf;
  final double integral;

  Distribution1D(double[] weights) {
    int n = weights.length;
    this.func = new double[n];
    this.cdf = new double[n + 1];
    for (int i = 0; i < n; i++) {
      func[i] = Math.max(0, weights[i]);
      cdf[i + 1] = cdf[i] + func[i] / n;
    }
    double total = cdf[n];
    if (!(total > 0)) {
      for (int i = 0; i < n; i++) {
        func[i] = 1;
        cdf[i + 1] = (i + 1.0) / n;
      }
      total = 1;
    } else {
      for (int i = 1; i <= n; i++) {
        cdf[i] /= total;
      }
    }
    this.integral = total;
  }

  int size() {
    return func.length;
  }

  /** The cell index of u: the last i with cdf[i] <= u. */
  int cell(double u) {
    int lo = 0;
    int hi = func.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (cdf[mid] <= u) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The point in [0, 1) for u, within {@link #cell}(u). */
  double sample(double u, int cell) {
    double width = cdf[cell + 1] - cdf[cell];
    double du = width > 0 ? (u - cdf[cell]) / width : 0.5;
    return Math.min((cell + du) / func.length, Math.nextDown(1.0));
  }

  /** The density at a point of cell {@code i}. */
  double pdf(int i) {
    return func[i] / integral;
  }
}
