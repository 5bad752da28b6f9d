package dev.tilefarm.worker.render;

import dev.tilefarm.worker.render.path.PathTracer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The last few jobs' prepared path tracers. Many tiles of one job arrive at one worker, often on several
 * threads at once; preparing the scene once per job (fetching its files, building its BVHs) saves doing it
 * again for every tile.
 *
 * <p>Keyed by job id plus the parameters that shape the render: job ids are unique per accepted job, so
 * the scene under one id never changes. Threads that miss at once wait for one preparation rather than
 * each running their own. Bounded twice: at most {@code capacity} jobs, and at most {@code maxBytes} of
 * prepared scenes (least recently used first out; a single scene larger than the bound is still kept
 * while it is the only one, since its tiles need it). Scenes of jobs that have ended are dropped
 * ({@link #forget}), so a scene over the bound does not outlive its job.
 */
final class PreparedScenes {
  /** A job's scene at one frame ({@code frame} null: a job without frames): each frame of an animation is a scene. */
  record Key(String jobId, int width, int height, int samples, long seed, Integer frame) {
    Key(String jobId, int width, int height, int samples, long seed) {
      this(jobId, width, height, samples, seed, null);
    }
  }

  /** Something that prepares a tracer and may fail the tile doing it. */
  @FunctionalInterface
  interface Preparation {
    PathTracer prepare() throws Exception;
  }

  private final int capacity;
  private final long maxBytes;
  private final Map<Key, CompletableFuture<PathTracer>> lru = new LinkedHashMap<>(16, 0.75f, true);

  PreparedScenes(int capacity) {
    this(capacity, Long.MAX_VALUE);
  }

  PreparedScenes(int capacity, long maxBytes) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.maxBytes = maxBytes;
  }

  PathTracer get(Key key, java.util.function.Supplier<PathTracer> prepare) {
    try {
      return getOrPrepare(key, prepare::get);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The tracer for {@code key}, prepared by this call if nobody has; a failed preparation is not kept. */
  PathTracer getOrPrepare(Key key, Preparation prepare) throws Exception {
    CompletableFuture<PathTracer> mine = new CompletableFuture<>();
    CompletableFuture<PathTracer> existing;
    synchronized (lru) {
      existing = lru.get(key);
      if (existing == null) {
        lru.put(key, mine);
      }
    }
    if (existing != null) {
      try {
        return existing.get();
      } catch (ExecutionException e) {
        // The other thread's failure is this tile's too (preparation is deterministic), unless it was a
        // transient fault, which the caller's retry policy handles the same way.
        throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
      }
    }
    PathTracer tracer;
    try {
      // Prepared outside the lock: a big scene must not stall other jobs' tiles.
      tracer = prepare.prepare();
    } catch (Exception | Error e) {
      synchronized (lru) {
        lru.remove(key, mine);
      }
      mine.completeExceptionally(e);
      throw e;
    }
    mine.complete(tracer);
    synchronized (lru) {
      evict();
    }
    return tracer;
  }

  private void evict() {
    long total = 0;
    for (CompletableFuture<PathTracer> f : lru.values()) {
      total += bytesOf(f);
    }
    Iterator<Map.Entry<Key, CompletableFuture<PathTracer>>> it = lru.entrySet().iterator();
    while (it.hasNext() && lru.size() > 1 && (lru.size() > capacity || total > maxBytes)) {
      Map.Entry<Key, CompletableFuture<PathTracer>> eldest = it.next();
      if (!eldest.getValue().isDone()) {
        continue;
      }
      total -= bytesOf(eldest.getValue());
      it.remove();
    }
  }

  private static long bytesOf(CompletableFuture<PathTracer> f) {
    return f.isDone() && !f.isCompletedExceptionally() ? f.join().bytes() : 0;
  }

  /** Drops the prepared scenes of the jobs {@code ended} names (prepared ones; one being prepared stays). */
  void forget(java.util.function.Predicate<String> ended) {
    synchronized (lru) {
      lru.entrySet().removeIf(e -> e.getValue().isDone() && ended.test(e.getKey().jobId()));
    }
  }

  /** Roughly the memory of the prepared scenes kept. */
  long bytes() {
    synchronized (lru) {
      long total = 0;
      for (CompletableFuture<PathTracer> f : lru.values()) {
        total += bytesOf(f);
      }
      return total;
    }
  }

  int size() {
    synchronized (lru) {
      return lru.size();
    }
  }
}
