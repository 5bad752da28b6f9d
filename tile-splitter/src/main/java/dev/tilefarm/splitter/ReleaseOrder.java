package dev.tilefarm.splitter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * Which waiting jobs' tasks a lane releases next, when it has room: the highest priority first, and among jobs of
 * one priority one task each in turn, starting with the job served longest ago (then the one admitted first). Free
 * of Kafka and of state: the {@link Dispatcher} asks, and keeps what it answered.
 *
 * <p>A lane's room depends on the priority being served ({@code window}): a higher priority may hold more tasks
 * in flight (see {@link #window}), so that across the splitter's partitions, which each keep their own lane
 * windows, a high-priority job also gets the larger share of the workers.
 */
final class ReleaseOrder {
  /** Priorities above this widen a lane's window; at and below it the window is the base one. */
  static final int BASE_PRIORITY = 50;
  /** Each this many priority points above {@link #BASE_PRIORITY} add one base window. */
  static final int PRIORITY_STEP = 10;

  private ReleaseOrder() {}

  /**
   * A job with tasks not yet released.
   *
   * @param pending tasks of it not yet released (at least 1)
   * @param served when it was last given a release, on the dispatcher's counter (0: never)
   * @param admitted its place in the order jobs were admitted
   */
  record Waiting(String jobId, int priority, int pending, long served, long admitted) {
    Waiting {
      if (pending < 1) {
        throw new IllegalArgumentException("job " + jobId + " has no pending task to wait with");
      }
    }
  }

  /**
   * The lane's window for tasks of {@code priority}, given its base window: the base up to priority 50, one more base
   * window for each 10 points above (priority 90: five times the base, 100: six times).
   */
  static int window(int base, int priority) {
    long steps = 1 + Math.max(0, priority - BASE_PRIORITY) / PRIORITY_STEP;
    return (int) Math.min(Integer.MAX_VALUE, steps * base);
  }

  /**
   * The jobs to release one task each of, in order (a job appears as often as it gets tasks), given that the lane
   * holds {@code inFlight} tasks and may hold {@code window.applyAsInt(priority)} while serving that priority.
   * Paused jobs are not among {@code waiting}.
   */
  static List<String> choose(Collection<Waiting> waiting, int inFlight, IntUnaryOperator window) {
    TreeMap<Integer, List<Waiting>> byPriority = new TreeMap<>(Comparator.reverseOrder());
    for (Waiting w : waiting) {
      byPriority.computeIfAbsent(w.priority(), p -> new ArrayList<>()).add(w);
    }
    List<String> out = new ArrayList<>();
    for (var group : byPriority.entrySet()) {
      long room = (long) window.applyAsInt(group.getKey()) - inFlight - out.size();
      if (room <= 0) {
        break; // a lower priority's window is no larger: nothing below gets room either
      }
      List<Waiting> ring = new ArrayList<>(group.getValue());
      ring.sort(Comparator.comparingLong(Waiting::served).thenComparingLong(Waiting::admitted)
          .thenComparing(Waiting::jobId));
      int[] left = ring.stream().mapToInt(Waiting::pending).toArray();
      boolean any = true;
      while (room > 0 && any) {
        any = false;
        for (int i = 0; i < ring.size() && room > 0; i++) {
          if (left[i] > 0) {
            out.add(ring.get(i).jobId());
            left[i]--;
            room--;
            any = true;
          }
        }
      }
      if (room > 0) {
        continue; // this priority is all released: lower ones may use what is left
      }
      break;
    }
    return out;
  }
}
