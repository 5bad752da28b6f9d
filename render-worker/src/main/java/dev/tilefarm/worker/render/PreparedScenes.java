package dev.tilefarm.worker.render;

import dev.tilefarm.worker.render.path.PathTracer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The last few jobs' prepared path tracers. Many tiles of one job arrive at one worker, often on several
 * threads at once; preparing the scene once per job saves converting it again for every tile.
 *
 * <p>Keyed by job id plus the parameters that shape the render: job ids are unique per accepted job, so
 * the scene under one id never changes. Two threads that miss at once may both prepare; preparation is
 * deterministic, so whichever copy is kept renders the same bytes.
 */
final class PreparedScenes {
  record Key(String jobId, int width, int height, int samples, long seed) {}

  private final Map<Key, PathTracer> lru;

  PreparedScenes(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.lru = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, PathTracer> eldest) {
        return size() > capacity;
      }
    };
  }

  PathTracer get(Key key, Supplier<PathTracer> prepare) {
    synchronized (lru) {
      PathTracer cached = lru.get(key);
      if (cached != null) {
        return cached;
      }
    }
    // Prepared outside the lock: a big scene must not stall other jobs' tiles.
    PathTracer fresh = prepare.get();
    synchronized (lru) {
      PathTracer raced = lru.putIfAbsent(key, fresh);
      return raced != null ? raced : fresh;
    }
  }

  int size() {
    synchronized (lru) {
      return lru.size();
    }
  }
}
