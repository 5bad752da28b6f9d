package dev.tilefarm.compositor;

import java.util.HashMap;
import java.util.Map;

/**
 * How far the workers say they are with the tiles they are still making (PROGRESS tile results), per job:
 * what raises a job's PROGRESS fraction between finished tiles.
 *
 * <p>In memory only, one per stream task, and not in the job's stored state: it is advisory, and would cost a
 * changelog write per report. After a restart or a rebalance it starts empty and fills again from the workers'
 * next reports (every second or so while a tile renders); meanwhile the stored fraction of the last PROGRESS
 * event ({@link JobProgress#reported}) keeps later events from going below it. It holds only unfinished tiles of
 * jobs that have not ended: a tile's entry goes when the tile is done, a job's when it ends.
 */
final class InTileProgress {
  private final Map<String, Map<Integer, Double>> jobs = new HashMap<>();

  /**
   * Remembers that tile {@code index} of the job is {@code fraction} (0 to 1) done. A tile only moves forward:
   * a lower report (a retry of the tile on another worker, a late record) changes nothing.
   *
   * @return whether this raised what was known of the tile
   */
  boolean report(String jobId, int index, double fraction) {
    Map<Integer, Double> tiles = jobs.get(jobId);
    Double known = tiles == null ? null : tiles.get(index);
    if (fraction <= (known == null ? 0 : known)) {
      return false;
    }
    jobs.computeIfAbsent(jobId, k -> new HashMap<>()).put(index, fraction);
    return true;
  }

  /** The tile is done: from now on the job's finished tiles count it whole. */
  void tileDone(String jobId, int index) {
    Map<Integer, Double> tiles = jobs.get(jobId);
    if (tiles != null) {
      tiles.remove(index);
      if (tiles.isEmpty()) {
        jobs.remove(jobId);
      }
    }
  }

  /** The sum of the fractions of the job's unfinished tiles. */
  double sum(String jobId) {
    Map<Integer, Double> tiles = jobs.get(jobId);
    double sum = 0;
    if (tiles != null) {
      for (double f : tiles.values()) {
        sum += f;
      }
    }
    return sum;
  }

  /** The job has ended. */
  void forget(String jobId) {
    jobs.remove(jobId);
  }

  /** How many jobs have tiles in progress here. */
  int jobs() {
    return jobs.size();
  }
}
