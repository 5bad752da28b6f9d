package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.ChainPlan.Box;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Canny labels a worker computed in a statistics pass, kept for the drawing pass: a tile whose labels (and
 * its neighbours' where the ops after Canny reach into them) are here is drawn from them, without reading the
 * input through the ops before Canny again. The labels are a function of the job, its input version, the op and
 * the tile, so the kept ones are the very labels the drawing pass would compute; a miss (another worker made
 * the statistics tile, or it was evicted) computes them as before. Least recently used first out, bounded by
 * bytes. Thread-safe.
 */
final class CannyLabelCache {
  /** A tile's labels: job, the input version its passes read (null: unpinned), chain index of the op, tile box. */
  record Key(String jobId, String inputEtag, int op, Box tile) {}

  private final long capacityBytes;
  private final LinkedHashMap<Key, CannyLabels> lru = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  CannyLabelCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  synchronized void put(Key key, CannyLabels labels) {
    if (labels.bytes() > capacityBytes) {
      return;
    }
    CannyLabels old = lru.put(key, labels);
    bytes += labels.bytes() - (old == null ? 0 : old.bytes());
    Iterator<Map.Entry<Key, CannyLabels>> eldest = lru.entrySet().iterator();
    while (bytes > capacityBytes && eldest.hasNext()) {
      bytes -= eldest.next().getValue().bytes();
      eldest.remove();
    }
  }

  /** The kept labels, or null. */
  synchronized CannyLabels get(Key key) {
    return lru.get(key);
  }

  /** Drops the labels of the jobs {@code ended} names. */
  synchronized void forget(Predicate<String> ended) {
    Iterator<Map.Entry<Key, CannyLabels>> it = lru.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, CannyLabels> e = it.next();
      if (ended.test(e.getKey().jobId())) {
        bytes -= e.getValue().bytes();
        it.remove();
      }
    }
  }

  synchronized long bytes() {
    return bytes;
  }
}
