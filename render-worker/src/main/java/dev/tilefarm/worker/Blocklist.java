package dev.tilefarm.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The jobs this worker has failed repeatedly and stops taking tiles of for a while, as render farms do: a
 * job that crashes one machine (a driver, a memory limit) may well run on the others. Counts only failures
 * that are the tile's own (an unexpected renderer error), never storage or broker outages, which are no
 * job's fault. Thread-safe.
 */
final class Blocklist {
  private record Entry(int failures, long blockedUntil) {}

  private final int threshold;
  private final long blockMs;
  private final Map<String, Entry> jobs = new HashMap<>();

  Blocklist(int threshold, Duration blockFor) {
    this.threshold = threshold;
    this.blockMs = blockFor.toMillis();
  }

  /** Counts a failure of one of the job's tiles; returns true if that blocks the job now. */
  synchronized boolean failed(String jobId, long now) {
    Entry e = jobs.getOrDefault(jobId, new Entry(0, 0));
    int failures = e.failures() + 1;
    boolean block = failures >= threshold;
    jobs.put(jobId, new Entry(block ? 0 : failures, block ? now + blockMs : e.blockedUntil()));
    if (jobs.size() > 10_000) {
      jobs.values().removeIf(x -> x.blockedUntil() < now && x.failures() == 0);
    }
    return block;
  }

  /**
   * Whether a delivery of a blocked job's tile is released for another worker rather than made here: only
   * before its {@code maxAttempts}-th delivery. Released deliveries count as deliveries on the broker too, so
   * releasing later would let a tile that fails everywhere run past {@code maxAttempts} up to the share group's
   * delivery limit (it was tried 9 times with 5 documented); made here, its failure there is final.
   */
  static boolean releases(boolean blocked, int delivery, int maxAttempts) {
    return blocked && delivery < maxAttempts;
  }

  synchronized boolean blocked(String jobId, long now) {
    Entry e = jobs.get(jobId);
    return e != null && e.blockedUntil() > now;
  }
}
