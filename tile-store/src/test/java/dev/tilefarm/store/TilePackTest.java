package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TilePackTest {
  @Test
  void everyPartComesBackAsItWasGiven() {
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      byte[] tile = new byte[3 + 5 * i];
      Arrays.fill(tile, (byte) i);
      parts.add(tile);
    }
    parts.add(new byte[0]);
    byte[] pack = TilePack.encode(parts);
    assertEquals(parts.size(), TilePack.count(pack));
    for (int i = 0; i < parts.size(); i++) {
      assertArrayEquals(parts.get(i), TilePack.part(pack, i), "part " + i);
    }
  }

  @Test
  void realTilesDecodeFromTheirPart() {
    TileImage a = new TileImage(3, 2, 3, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18});
    TileImage b = new TileImage(1, 1, 1, new byte[] {42});
    byte[] pack = TilePack.encode(List.of(TileCodec.encode(a), TileCodec.encode(b)));
    assertArrayEquals(a.pixels(), TileCodec.decode(TilePack.part(pack, 0)).pixels());
    assertArrayEquals(b.pixels(), TileCodec.decode(TilePack.part(pack, 1)).pixels());
  }

  @Test
  void damagedPacksAreRefusedWithTheReason() {
    byte[] pack = TilePack.encode(List.of(new byte[10], new byte[20]));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TilePack.part(pack, 2)).getMessage()
        .contains("no part 2"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TilePack.part(Arrays.copyOf(pack, 30), 1))
        .getMessage().contains("runs past the end"));
    byte[] bad = pack.clone();
    bad[0] = 'X';
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TilePack.part(bad, 0)).getMessage()
        .contains("not a tile pack"));
    byte[] hostile = pack.clone();
    hostile[4] = 0x7f;
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TilePack.count(hostile)).getMessage()
        .contains("claims"));
    assertThrows(IllegalArgumentException.class, () -> TilePack.encode(List.of()));
  }
}
