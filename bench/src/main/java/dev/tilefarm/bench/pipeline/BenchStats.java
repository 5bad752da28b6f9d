package dev.tilefarm.bench.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Repeated measurements of one figure: min, median and max, as BENCHMARKS.md reports them. */
final class BenchStats {
  private final List<Double> values = new ArrayList<>();

  void add(double v) {
    values.add(v);
  }

  /** Adds every value of this one to {@code other}. */
  void addTo(BenchStats other) {
    values.forEach(other::add);
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  double min() {
    return Collections.min(values);
  }

  double max() {
    return Collections.max(values);
  }

  double median() {
    return percentile(50);
  }

  /** Nearest-rank percentile. */
  double percentile(double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  int count() {
    return values.size();
  }

  /** "median (min-max)" with the given format for each number. */
  String summary(String format) {
    if (values.isEmpty()) {
      return "n/a";
    }
    return String.format(format, median()) + " (" + String.format(format, min()) + " – " + String.format(format, max())
        + ")";
  }
}
