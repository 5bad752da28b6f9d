package dev.tilefarm.worker;

import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.BoundedMap;
import java.util.Map;

/**
 * The decoded job of each recent job id, so that a worker decodes (and, for large jobs, fetches) a job
 * once for all the tiles of it that it renders.
 */
final class JobSpecCache {
  private static final int MAX_JOBS = 64;
  private final BlobStore blobs;
  private final Map<String, JobRequest> jobs = new BoundedMap<>(MAX_JOBS, true);
  /** Job id -> its "maxAttempts" (0: the farm's), which the decoded job does not carry. */
  private final Map<String, Integer> attempts = new BoundedMap<>(MAX_JOBS * 16, true);

  JobSpecCache(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** Drops the jobs {@code ended} names: a large scene's decoded job does not outlive it. */
  void forget(java.util.function.Predicate<String> ended) {
    synchronized (jobs) {
      jobs.keySet().removeIf(ended);
    }
  }

  /**
   * The task's job's {@code "maxAttempts"}, 0 when it gives none; also 0 when its stored job cannot be read now
   * (the tile's own run will say why).
   */
  int maxAttemptsOf(TileTask task) {
    synchronized (jobs) {
      Integer known = attempts.get(task.jobId());
      if (known != null) {
        return known;
      }
    }
    int n;
    try {
      n = JobCodec.maxAttemptsOf(task.job() != null ? task.job() : JobCodec.parse(blobs.get(task.jobUri())));
    } catch (RuntimeException e) {
      return 0;
    }
    synchronized (jobs) {
      attempts.put(task.jobId(), n);
    }
    return n;
  }

  /** The task's job; throws InvalidJobException or UndecodableException for a job that cannot be run. */
  JobRequest jobOf(TileTask task) {
    synchronized (jobs) {
      JobRequest cached = jobs.get(task.jobId());
      if (cached != null) {
        return cached;
      }
    }
    var json = task.job() != null ? task.job() : JobCodec.parse(blobs.get(task.jobUri()));
    JobRequest job = JobCodec.decode(json, task.jobId());
    synchronized (jobs) {
      jobs.put(task.jobId(), job);
    }
    return job;
  }
}
