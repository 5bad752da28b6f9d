package dev.tilefarm.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that holds at most {@code max} entries, dropping the eldest (the least recently used in access order,
 * the first inserted in insertion order) when one more is put. Not thread-safe: callers synchronize.
 */
public final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
  private static final long serialVersionUID = 1L;
  private final int max;

  public BoundedMap(int max, boolean accessOrder) {
    super(16, 0.75f, accessOrder);
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    this.max = max;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > max;
  }
}
