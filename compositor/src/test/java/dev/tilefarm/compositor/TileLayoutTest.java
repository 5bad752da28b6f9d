package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TileLayoutTest {
  private static List<TilePart> parts(TileRect... rects) {
    List<TilePart> out = new ArrayList<>();
    for (TileRect r : rects) {
      out.add(new TilePart(r, S3Uri.parse("s3://bucket/t/" + r.index())));
    }
    return out;
  }

  @Test
  void gridIsOneSegmentPerRowOfTiles() {
    List<TilePart> tiles = new ArrayList<>(parts(TestImages.grid(130, 70, 32).toArray(new TileRect[0])));
    Collections.shuffle(tiles, new Random(1));
    var segments = TileLayout.of("j", 130, 70, tiles).segments();
    assertEquals(3, segments.size());
    assertEquals(List.of(0, 32, 64), segments.stream().map(TileLayout.Segment::top).toList());
    assertEquals(70, segments.get(2).bottom());
    assertEquals(List.of(5, 6, 7, 8, 9), segments.get(1).row().stream().map(TilePart::index).toList());
    assertEquals(segments.get(1).row(), segments.get(1).starting());
  }

  @Test
  void tilesOfDifferentHeightsGiveSegmentsWhereTheSetChanges() {
    // |0 (10 rows)|1 (4 rows)|
    // |          |2 (6 rows)|
    var segments = TileLayout.of("j", 8, 10, parts(new TileRect(0, 0, 0, 4, 10), new TileRect(1, 4, 0, 4, 4),
        new TileRect(2, 4, 4, 4, 6))).segments();
    assertEquals(2, segments.size());
    assertEquals(List.of(0, 2), segments.get(1).row().stream().map(TilePart::index).toList());
    assertEquals(List.of(2), segments.get(1).starting().stream().map(TilePart::index).toList());
  }

  @Test
  void aGapIsReportedWithItsPixel() {
    var e = assertThrows(AssemblyFailedException.class,
        () -> TileLayout.of("j", 8, 4, parts(new TileRect(0, 0, 0, 4, 4), new TileRect(1, 5, 0, 3, 4))));
    assertNull(e.tile());
    assertEquals("no tile covers pixel 4,0", e.reason());
    var missingRow = assertThrows(AssemblyFailedException.class,
        () -> TileLayout.of("j", 4, 8, parts(new TileRect(0, 0, 0, 4, 4))));
    assertEquals("no tile covers pixel 0,4", missingRow.reason());
  }

  @Test
  void anOverlapNamesTheLaterTile() {
    var e = assertThrows(AssemblyFailedException.class, () -> TileLayout.of("j", 8, 8,
        parts(new TileRect(3, 0, 0, 8, 5), new TileRect(0, 0, 5, 8, 3), new TileRect(1, 2, 4, 2, 2))));
    assertEquals(3, e.tile());
    assertEquals("it overlaps tile 1 in row 4", e.reason());
  }

  @Test
  void aTileOutsideTheImageIsNamed() {
    var e = assertThrows(AssemblyFailedException.class,
        () -> TileLayout.of("j", 8, 8, parts(new TileRect(0, 0, 0, 8, 8), new TileRect(1, 6, 6, 4, 4))));
    assertEquals(1, e.tile());
  }
}
