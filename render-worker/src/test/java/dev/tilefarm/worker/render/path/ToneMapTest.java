package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ToneMapTest {
  @Test
  void blackStaysBlackAndHighlightsRollOffToWhite() {
    assertEquals(0, ToneMap.toByte(0));
    assertEquals(0, ToneMap.toByte(-1));
    assertEquals((byte) 255, ToneMap.toByte(1e6));
    assertEquals(0.673, ToneMap.aces(1), 1e-3);
    int previous = -1;
    for (double l = 0; l < 20; l += 0.01) {
      int b = ToneMap.toByte(l) & 0xFF;
      assertTrue(b >= previous, "not monotonic at " + l);
      previous = b;
    }
  }

  @Test
  void encodesWithTheSrgbTransferFunction() {
    assertEquals(0.7353569830524495, ToneMap.srgb(0.5), 1e-12);
    assertEquals(12.92 * 0.002, ToneMap.srgb(0.002), 1e-15);
    assertEquals(1.0, ToneMap.srgb(1.0), 1e-12);
  }
}
