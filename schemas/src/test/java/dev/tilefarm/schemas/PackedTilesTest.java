package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of packed tasks and of their tiles' results, which the JSON schemas cannot express. */
class PackedTilesTest {
  private static final S3Uri OUT = S3Uri.parse("s3://farm/outputs/j.png");
  private static final S3Uri PACK = S3Uri.parse("s3://farm/tiles/j/pack-4.tfp");

  private static TileRect rect(int index) {
    return new TileRect(index, index * 16, 0, 16, 16);
  }

  private static TileTask task(List<TileRect> pack, int packTiles) {
    return new TileTask("j", 10, 160, 16, OUT, PACK, 1, Json.MAPPER.createObjectNode(), null, null,
        new TileTask.Work.Pack(pack, packTiles));
  }

  private static final TileResult.Stored PART = TileResult.Stored.pixels(3, 10, "0".repeat(64), 1, "w", null);

  @Test
  void aPackStartsAtAMultipleOfThePackSizeAndListsConsecutiveTiles() {
    TileTask t = task(List.of(rect(4), rect(5), rect(6), rect(7)), 4);
    assertEquals(List.of(rect(4), rect(5), rect(6), rect(7)), t.tiles());
    assertEquals("tiles 4-7/10 of job j", t.label());
    assertEquals(List.of(rect(8), rect(9)), task(List.of(rect(8), rect(9)), 4).tiles(), "the last pack may be short");
    assertThrows(IllegalArgumentException.class, () -> task(List.of(rect(5), rect(6)), 4), "not at a multiple");
    assertThrows(IllegalArgumentException.class, () -> task(List.of(rect(4), rect(6)), 4), "a gap");
    assertThrows(IllegalArgumentException.class, () -> task(List.of(rect(4), rect(5), rect(6)), 2), "too many");
    assertThrows(IllegalArgumentException.class, () -> task(List.of(rect(8), rect(9), rect(10)), 4), "past the end");
    assertThrows(IllegalArgumentException.class, () -> task(List.of(rect(4), rect(5)), 1), "a pack size of 1");
    assertThrows(IllegalArgumentException.class, () -> task(List.of(), 4), "no tiles");
  }

  @Test
  void aPackedTilesResultNamesItsPartByItsIndex() {
    TileTask pack = task(List.of(rect(4), rect(5), rect(6), rect(7)), 4);
    TileResult.Done d = TileResult.Done.ofPart(pack, rect(6), PART);
    assertEquals(2, d.part());
    assertEquals(4, d.packTiles());
    assertEquals(rect(6), d.tile());
    assertEquals(PACK, d.tileUri());
    assertThrows(IllegalArgumentException.class, () -> TileResult.Done.ofPart(pack, rect(8), PART), "not in the pack");
    assertThrows(IllegalArgumentException.class, () -> TileResult.Done.of(pack, PART), "a pack is reported by part");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TileResult.Done("j", rect(6),
        10, 160, 16, OUT, PACK, 3, 10, "0".repeat(64), 1, "w", 1, null, null, null, null, 1, 4));
    assertTrue(e.getMessage().contains("part 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TileResult.Done("j", rect(6), 10, 160, 16, OUT, PACK, 3, 10,
        "0".repeat(64), 1, "w", 1, null, null, null, null, 2, null));
  }

  @Test
  void packedMessagesRoundTripThroughTheirSerdes() {
    Topics topics = new Topics("t.");
    TileTask t = task(List.of(rect(4), rect(5)), 4);
    assertEquals(t, topics.tileTasks().valueSerde().deserializer().deserialize("x",
        topics.tileTasks().valueSerde().serializer().serialize("x", t)));
    TileResult d = TileResult.Done.ofPart(t, rect(5), PART);
    assertEquals(d, topics.tileResults().valueSerde().deserializer().deserialize("x",
        topics.tileResults().valueSerde().serializer().serialize("x", d)));
  }
}
