package dev.tilefarm.bench.pipeline;

/**
 * One of issue 18's aims: a bound on a measured figure, and how the table writes it. Not reached by a figure that
 * could not be measured (NaN).
 *
 * @param text the aim column's text, e.g. "≤ 1.25x"
 * @param bound the bound, in the figure's unit
 * @param upper whether the figure must stay at or below the bound (else at or above it)
 */
record Aim(String text, double bound, boolean upper) {
  /** The figure must be at most {@code bound}. */
  static Aim atMost(double bound, String text) {
    return new Aim(text, bound, true);
  }

  /** The figure must be at least {@code bound}. */
  static Aim atLeast(double bound, String text) {
    return new Aim(text, bound, false);
  }

  boolean reachedBy(double measured) {
    return upper ? measured <= bound : measured >= bound;
  }
}
