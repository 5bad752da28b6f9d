package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedMapTest {
  @Test
  void insertionOrderDropsTheFirstPutEvenIfReadSince() {
    Map<String, Integer> m = new BoundedMap<>(2, false);
    m.put("a", 1);
    m.put("b", 2);
    m.get("a");
    m.put("c", 3);
    assertEquals(List.of("b", "c"), List.copyOf(m.keySet()));
  }

  @Test
  void accessOrderDropsTheLeastRecentlyRead() {
    Map<String, Integer> m = new BoundedMap<>(2, true);
    m.put("a", 1);
    m.put("b", 2);
    m.get("a");
    m.put("c", 3);
    assertEquals(List.of("a", "c"), List.copyOf(m.keySet()));
  }

  @Test
  void aBoundBelowOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BoundedMap<>(0, true));
    assertEquals("max must be at least 1, was 0", e.getMessage());
  }
}
