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

  JobSpecCache(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** Drops the jobs {@code ended} names: a large scene's decoded job does not outlive it. */
  void forget(java.util.function.Predicate<String> ended) {
    synchronized (jobs) {
      jobs.keySet().removeIf(ended);
    }
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
