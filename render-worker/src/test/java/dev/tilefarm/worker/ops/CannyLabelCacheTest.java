package dev.tilefarm.worker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tilefarm.schemas.ChainPlan.Box;
import org.junit.jupiter.api.Test;

class CannyLabelCacheTest {
  /** A 4x1 tile with {@code candidates} candidate pixels from the left, each its own label. */
  private static CannyLabels labels(int candidates) {
    byte[] cand = new byte[4];
    for (int i = 0; i < candidates; i += 2) {
      cand[i] = 1;
    }
    return CannyLabels.label(4, 1, cand, new byte[4]);
  }

  private static CannyLabelCache.Key key(String job, int x) {
    return new CannyLabelCache.Key(job, null, 2, new Box(x, 0, 4, 1));
  }

  @Test
  void keepsTheMostRecentlyUsedLabelsWithinItsBound() {
    CannyLabels one = labels(1);
    CannyLabelCache cache = new CannyLabelCache(2 * one.bytes());
    cache.put(key("a", 0), one);
    CannyLabels two = labels(1);
    cache.put(key("a", 4), two);
    assertSame(one, cache.get(key("a", 0)));
    cache.put(key("a", 8), labels(1));
    assertNull(cache.get(key("a", 4)), "the least recently used labels go first");
    assertSame(one, cache.get(key("a", 0)));
    assertEquals(2 * one.bytes(), cache.bytes());
  }

  @Test
  void labelsOfAnotherInputVersionOrOpAreNotServed() {
    CannyLabelCache cache = new CannyLabelCache(1 << 20);
    cache.put(new CannyLabelCache.Key("a", "etag-1", 2, new Box(0, 0, 4, 1)), labels(3));
    assertNull(cache.get(new CannyLabelCache.Key("a", "etag-2", 2, new Box(0, 0, 4, 1))));
    assertNull(cache.get(new CannyLabelCache.Key("a", "etag-1", 3, new Box(0, 0, 4, 1))));
  }

  @Test
  void forgetsTheLabelsOfEndedJobs() {
    CannyLabelCache cache = new CannyLabelCache(1 << 20);
    cache.put(key("a", 0), labels(3));
    CannyLabels b = labels(1);
    cache.put(key("b", 0), b);
    cache.forget("a"::equals);
    assertNull(cache.get(key("a", 0)));
    assertSame(b, cache.get(key("b", 0)));
    assertEquals(b.bytes(), cache.bytes());
  }

  @Test
  void labelsLargerThanTheWholeBoundAreNotKept() {
    CannyLabels big = labels(3);
    CannyLabelCache cache = new CannyLabelCache(big.bytes() - 1);
    cache.put(key("a", 0), big);
    assertNull(cache.get(key("a", 0)));
    assertEquals(0, cache.bytes());
  }
}
