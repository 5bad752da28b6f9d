package dev.tilefarm.compositor;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The janitor's clean-ups still to do, and how far it may commit: the pure part of {@link Janitor}, free of Kafka.
 *
 * <p>An ENDED record at ({@code partition}, {@code offset}) asks for two passes over its job's tiles: one at once,
 * one {@link #SECOND_PASS} later for tiles a worker was still writing. A pass that fails is tried again after
 * {@link #RETRY}. Passes are due by time, whatever order they were booked in (a retry in 30 s goes before a second
 * pass booked earlier for 2 minutes from now). The consumer may commit a partition only up to the oldest record
 * whose passes are not all done: what it commits is done, so a janitor killed, or one whose partitions moved to
 * another compositor, leaves nothing undone: the next owner reads the pending records again and does their
 * passes (deleting twice is harmless). Not thread-safe: the janitor's thread alone uses it.
 */
final class CleanUps {
  /** Time for a worker's abandoned in-flight tile to land before the second pass looks again. */
  static final Duration SECOND_PASS = Duration.ofMinutes(2);
  /** The wait before a pass that failed (S3 unreachable, say) is tried again. */
  static final Duration RETRY = Duration.ofSeconds(10);

  /** One pass due at {@code at} (epoch ms) over {@code jobId}'s tiles, for the ENDED record at partition@offset. */
  record Due(String jobId, long at, int partition, long offset, boolean last) {}

  private final PriorityQueue<Due> due = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));

  /** Books the passes of an ENDED record read at {@code nowMs}: the first is due at once. */
  void ended(String jobId, int partition, long offset, long nowMs) {
    due.add(new Due(jobId, nowMs, partition, offset, false));
  }

  /** The next pass due by {@code nowMs}, taken off the queue; null if none is. */
  Due next(long nowMs) {
    Due d = due.peek();
    return d != null && d.at() <= nowMs ? due.poll() : null;
  }

  /** {@code pass} went through at {@code nowMs}: books the second pass after the first, none after the second. */
  void done(Due pass, long nowMs) {
    if (!pass.last()) {
      due.add(new Due(pass.jobId(), nowMs + SECOND_PASS.toMillis(), pass.partition(), pass.offset(), true));
    }
  }

  /** {@code pass} failed at {@code nowMs}: the same pass again after {@link #RETRY}. */
  void failed(Due pass, long nowMs) {
    due.add(new Due(pass.jobId(), nowMs + RETRY.toMillis(), pass.partition(), pass.offset(), pass.last()));
  }

  /**
   * The job runs again (a retry's PLANNED): its passes still booked are dropped, so that they do not take the new
   * run's tiles. Its ENDED records then hold nothing back from a commit.
   */
  void replanned(String jobId) {
    due.removeIf(d -> d.jobId().equals(jobId));
  }

  /** Forgets the passes of records in {@code partitions}: they are another janitor's now, from the last commit. */
  void drop(Set<Integer> partitions) {
    due.removeIf(d -> partitions.contains(d.partition()));
  }

  /**
   * The offset to commit for each partition in {@code positions} (partition -> the consumer's position there): the
   * oldest record with a pass still to do, or the position if none is.
   */
  Map<Integer, Long> committable(Map<Integer, Long> positions) {
    Map<Integer, Long> out = new HashMap<>(positions);
    for (Due d : due) {
      out.computeIfPresent(d.partition(), (p, at) -> Math.min(at, d.offset()));
    }
    return out;
  }

  int pending() {
    return due.size();
  }
}
