package dev.tilefarm.api;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.WorkerStatus;
import dev.tilefarm.store.JobLimits;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API checks before it publishes a job: the splitter's checks that need nothing from storage
 * ({@link JobLimits}: output locations and owners, input buckets, a render job's pixels and tiles, an upload's
 * pixels, op chain and tiles from its header; a renderer none of the present workers has, from the workers'
 * heartbeats as the view holds them), and that the id is not taken. An id is taken when the view knows
 * the job, or when this API published it and its record has not come back through the jobs topic yet: the
 * splitter would run only the first job under an id and silently drop the second.
 */
final class JobAdmission {
  /** Ids published but not yet in the view are remembered this long; the view has them within seconds. */
  static final long PENDING_MS = 10 * 60_000L;
  private static final int MAX_PENDING = 100_000;

  private final JobLimits limits;
  private final String farmBucket;
  private final FarmView view;
  /** Id -> when it was claimed, oldest first. */
  private final Map<String, Long> pending = new LinkedHashMap<>();

  JobAdmission(JobLimits limits, String farmBucket, FarmView view) {
    this.limits = limits;
    this.farmBucket = farmBucket;
    this.view = view;
  }

  /**
   * Checks a submitted job as the splitter will, all but a process job's input size (its input is in storage).
   *
   * @throws dev.tilefarm.schemas.InvalidJobException naming the field
   */
  void check(JobRequest job, long now) {
    limits.checkStorage(farmBucket, job);
    if (job instanceof JobRequest.Render r) {
      String missing = WorkerStatus.missingRenderer(r.renderer(), view.heartbeats(), now);
      if (missing != null) {
        throw new InvalidJobException(job.id(), "renderer", missing);
      }
      limits.checkSize(job, r.width(), r.height(), "width");
    }
  }

  /** Checks an uploaded image's process job, the image {@code width x height} as its header says. */
  void checkUpload(JobRequest.Process job, int width, int height) {
    limits.checkStorage(farmBucket, job);
    limits.checkSize(job, width, height, "body");
  }

  /**
   * Takes {@code id} for a job about to be published: null if it was free, else the job that has it as the view
   * shows it (a SUBMITTED stand-in for a job this API published whose record the view has not read yet).
   */
  synchronized FarmView.JobDetail claim(String id, long now) {
    FarmView.JobDetail known = view.job(id, false);
    if (known != null) {
      return known;
    }
    for (Iterator<Long> it = pending.values().iterator(); it.hasNext() && it.next() < now - PENDING_MS; ) {
      it.remove();
    }
    Long at = pending.get(id);
    if (at != null) {
      return new FarmView.JobDetail(new FarmView.JobSummary(id, JobStatus.SUBMITTED, null, null, 0, 0, 0, 0, 0, null,
          null, null, at, null, null, null, null, null, null, false, null, false, List.of(), null,
          null), List.of(), List.of());
    }
    if (pending.size() >= MAX_PENDING) {
      pending.remove(pending.keySet().iterator().next());
    }
    pending.put(id, now);
    return null;
  }

  /** Frees an id claimed for a job that was not published after all. */
  synchronized void release(String id) {
    pending.remove(id);
  }
}
