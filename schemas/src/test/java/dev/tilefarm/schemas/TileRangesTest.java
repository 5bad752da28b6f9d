package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class TileRangesTest {
  @Test
  void runsBecomeRangesAndBack() {
    BitSet tiles = new BitSet();
    tiles.set(0, 5);
    tiles.set(7);
    tiles.set(9, 13);
    assertEquals("0-4,7,9-12", TileRanges.format(tiles));
    assertEquals(tiles, TileRanges.parse("0-4,7,9-12"));
    assertEquals("", TileRanges.format(new BitSet()));
    assertEquals(new BitSet(), TileRanges.parse(""));
    assertEquals(new BitSet(), TileRanges.parse(null));
  }

  @Test
  void aPartThatIsNoRangeIsNamed() {
    assertEquals("'5-2' is not a range of tile indexes from low to high",
        assertThrows(IllegalArgumentException.class, () -> TileRanges.parse("0,5-2")).getMessage());
    assertEquals("'x' is not a tile index or range of them",
        assertThrows(IllegalArgumentException.class, () -> TileRanges.parse("1,x")).getMessage());
  }
}
