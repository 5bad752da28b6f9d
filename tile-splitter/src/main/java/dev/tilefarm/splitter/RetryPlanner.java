package dev.tilefarm.splitter;

import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.TileRanges;
import java.util.BitSet;
import java.util.List;

/**
 * Whether a job may be run again ({@code {"retry": "JOB_ID"}}), and which of its tiles the new run makes: those its
 * last run did not keep. Free of Kafka.
 *
 * <p>Only a FAILED or CANCELLED job is retried, under its id, as run {@code attempt + 1}. The compositor keeps a
 * failed or cancelled job's done tiles (and their checked digests) for a while ({@code compositor.retry-retention})
 * and says which in its ENDED record; the retry plans every tile and sends out only the others. A job whose tiles
 * were not kept (the retention ran out, or none was done) is made whole again. Jobs planned as statistics passes
 * (process jobs with whole-image ops) always start over: their kept tiles are of another pass's grid.
 */
final class RetryPlanner {
  private RetryPlanner() {}

  /**
   * Why the job cannot be retried now, or null if it can.
   *
   * @param known what the farm knows of it (null: nothing)
   * @param waiting whether this splitter holds it waiting for other jobs
   * @param lastAttempt the last run this splitter started (0: none known), which the farm's records may not show yet
   * @param specKept whether its job is still kept for a retry
   */
  static String refusal(String jobId, JobOutcomes.Known known, boolean waiting, int lastAttempt, boolean specKept) {
    if (waiting) {
      return "job '" + jobId + "' is WAITING for other jobs; only a FAILED or CANCELLED job can be retried";
    }
    if (known == null) {
      return "the farm knows no job '" + jobId + "' (never accepted, or ended too long ago)";
    }
    if (lastAttempt > known.attempt()) {
      return "job '" + jobId + "' is being retried already (attempt " + lastAttempt + ")";
    }
    if (known.state() != JobOutcomes.State.FAILED && known.state() != JobOutcomes.State.CANCELLED) {
      return "job '" + jobId + "' is " + known.state() + "; only a FAILED or CANCELLED job can be retried";
    }
    if (!specKept) {
      return "job '" + jobId + "' is no longer kept for retries; submit it again";
    }
    return null;
  }

  /** Whether {@code tasks} are of a plan whose tiles a retry can keep (not statistics passes). */
  static boolean keepsTiles(List<TileTask> tasks) {
    return tasks.stream().noneMatch(t -> t.work() instanceof TileTask.Work.PassTile);
  }

  /** The tasks that make at least one tile not in {@code kept}, in plan order. */
  static List<TileTask> remaining(List<TileTask> tasks, BitSet kept) {
    return tasks.stream().filter(t -> tilesOf(t).stream().anyMatch(r -> !kept.get(r.index()))).toList();
  }

  /** {@code kept} parsed, limited to indexes below {@code tileCount}. */
  static BitSet kept(String keptTiles, int tileCount) {
    BitSet kept = TileRanges.parse(keptTiles);
    if (kept.length() > tileCount) {
      kept.clear(tileCount, kept.length());
    }
    return kept;
  }

  private static List<TileRect> tilesOf(TileTask task) {
    return task.work().tiles();
  }
}
