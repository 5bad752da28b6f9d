package dev.tilefarm.api;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes an uploaded image that this API stored for a job the splitter then rejected, for what the API cannot
 * check before it stores an image (an op chain that does not fit the image's size, say). Uploads are stored by
 * content, so two jobs may share one object: only an object this API stored fresh for the rejected job is
 * deleted, and not once another upload has used it. (Another API instance's uploads are not seen here: a
 * second instance storing the same bytes at the same moment could lose its input to this one's delete, and its
 * job is then rejected with the reason.) The splitter answers every job with
 * ACCEPTED or REJECTED, so the jobs waiting here are only those in flight (at most {@value #MAX_PENDING}).
 */
final class UploadJanitor implements FarmView.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UploadJanitor.class);
  static final int MAX_PENDING = 10_000;

  private final BlobStore blobs;
  /** Job id to the upload stored for it, until the splitter answers the job. Guarded by this. */
  private final Map<String, S3Uri> pending = new LinkedHashMap<>();
  /** Locks of uploads, by hash: one upload's store and delete are serialized, different uploads' are not. */
  private final Object[] stripes = new Object[64];
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tilefarm-upload-janitor");
    t.setDaemon(true);
    return t;
  });

  UploadJanitor(BlobStore blobs) {
    this.blobs = blobs;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  /**
   * Stores {@code upload} with {@code put} unless an object of its {@code size} is there already, and returns
   * whether it did: then it was stored for {@code jobId} alone, and is deleted if that job is rejected. Either
   * way, no job that used the object before keeps it from this job. One upload's store and delete never overlap.
   */
  boolean store(String jobId, S3Uri upload, long size, Runnable put) {
    synchronized (stripe(upload)) {
      synchronized (this) {
        pending.values().removeIf(upload::equals);
      }
      if (blobs.size(upload) == size) {
        return false;
      }
      put.run();
      synchronized (this) {
        pending.put(jobId, upload);
        if (pending.size() > MAX_PENDING) {
          Iterator<String> oldest = pending.keySet().iterator();
          oldest.next();
          oldest.remove();
        }
      }
      return true;
    }
  }

  /** The job will not run (it could not be published): delete what was stored for it. */
  void abandon(String jobId) {
    settle(jobId, true, "it could not be published");
  }

  @Override
  public void on(FarmView.Update update) {
    // Called under the view's lock: the S3 call is left to the worker thread.
    if (update instanceof FarmView.EventSeen seen
        && (seen.event() instanceof JobEvent.Accepted || seen.event().terminal())) {
      worker.execute(() -> settle(seen.event()));
    }
  }

  private void settle(JobEvent event) {
    settle(event.jobId(), event instanceof JobEvent.Rejected, event instanceof JobEvent.Rejected r ? r.reason() : null);
  }

  private void settle(String jobId, boolean delete, String why) {
    S3Uri upload;
    synchronized (this) {
      upload = pending.get(jobId);
    }
    if (upload == null) {
      return;
    }
    synchronized (stripe(upload)) {
      synchronized (this) {
        if (!pending.remove(jobId, upload)) {
          return; // another upload claimed it meanwhile
        }
      }
      if (delete) {
        try {
          blobs.delete(upload);
          log.info("deleted {}, uploaded for job {}, which will not run: {}", upload, jobId, why);
        } catch (RuntimeException e) {
          log.warn("could not delete {}, uploaded for job {}, which will not run: {}", upload, jobId, e.toString());
        }
      }
    }
  }

  private Object stripe(S3Uri upload) {
    return stripes[Math.floorMod(upload.hashCode(), stripes.length)];
  }

  @Override
  public void close() throws InterruptedException {
    worker.shutdown();
    worker.awaitTermination(10, TimeUnit.SECONDS);
  }
}
