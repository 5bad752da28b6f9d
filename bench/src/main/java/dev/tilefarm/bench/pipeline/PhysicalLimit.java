package dev.tilefarm.bench.pipeline;

import java.util.Locale;

/**
 * A measured rate against a raw limit measured in the same unit and the same run (records/s against raw Kafka
 * records/s, objects/s against raw S3 objects/s). The farm does more per unit than the raw client does, so it
 * cannot go faster: a ratio above 1 means the bench measured the two differently, and the report says so.
 */
record PhysicalLimit(String unit, double measured, double limit) {
  PhysicalLimit {
    if (!(limit > 0) || !(measured >= 0)) {
      throw new IllegalArgumentException("a rate and its limit in " + unit + " must be positive, got " + measured
          + " against " + limit);
    }
  }

  double ratio() {
    return measured / limit;
  }

  /** Above the limit: a bug in the bench (mismatched units, or the raw limit measured low), never a result. */
  boolean benchBug() {
    return ratio() > 1;
  }

  /** "0.37 of raw (7700 against 20800 records/s)", flagged when above 1. */
  String describe() {
    String s = String.format(Locale.ROOT, "%.2f of raw (%.0f against %.0f %s)", ratio(), measured, limit, unit);
    return benchBug() ? s + " **BENCH BUG: above the physical limit, so the units or the raw figure are wrong**" : s;
  }
}
