package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The task's work kinds, the results built from them, and wire compatibility: records of the flat version 1
 * shape, as the splitter and the compositor wrote them before the work became typed (captured from that code,
 * in {@code tile-task-v1/}), read into the same tasks as the version 2 records written now.
 */
class TileTaskTest {
  private static final JsonSerde<TileTask> SERDE = new JsonSerde<>(TileTask.class);
  private static final long T = 1_767_225_600_000L;
  private static final String ETAG = "\"9b2cf535f27731c974343645a3985328\"";
  private static final String SHA = "5a75c1d096fc4c702adcb1eb2b2eb2feb04102a8f830e7534ed1b261c5bb0d02";

  private static byte[] v1(String name) {
    try (InputStream in = TileTaskTest.class.getResourceAsStream("/tile-task-v1/" + name + ".json")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static S3Uri uri(String s) {
    return S3Uri.parse(s);
  }

  @Test
  void aVersion1TileOfAJobStoredApartIsATile() {
    TileTask task = SERDE.decode(v1("with-deadline"));
    assertEquals(new TileTask("city-lights", 60, 1280, 720, uri("s3://tilefarm/outputs/city-lights.png"),
        uri("s3://tilefarm/tiles/city-lights/59.tft"), T, null, uri("s3://tilefarm/jobs/city-lights.json"),
        1767229200000L, TileTask.Work.Tile.of(new TileRect(59, 1152, 640, 128, 80))), task);
  }

  @Test
  void aVersion1TileWithItsJobInlineKeepsTheJobAsItWas() throws IOException {
    TileTask task = SERDE.decode(v1("inline-job"));
    assertEquals(new TileRect(7, 896, 0, 128, 128), task.tile());
    assertEquals(TileTask.Work.Tile.of(new TileRect(7, 896, 0, 128, 128)), task.work());
    JsonNode original = Json.MAPPER.readTree(v1("inline-job")).get("job");
    assertEquals(original, task.job());
    assertNull(task.jobUri());
  }

  @Test
  void aVersion1PinnedInputIsATileWithItsEtag() {
    TileTask task = SERDE.decode(v1("pinned-input"));
    assertEquals(new TileTask.Work.Tile(new TileRect(3, 256, 0, 128, 128), ETAG), task.work());
    assertEquals(12, task.tileCount());
  }

  @Test
  void version1FramesAreFrameTiles() {
    TileTask animation = SERDE.decode(v1("animation-frame"));
    assertEquals(new TileTask.Work.FrameTile(new TileRect(17, 256, 0, 256, 256), 2, 15), animation.work());
    assertEquals(1, ((TileTask.Work.FrameTile) animation.work()).frameIndex(), "tile 17 of 15 a frame");
    assertEquals(uri("s3://renders/spin/frame-####.png"), animation.output());
    TileTask still = SERDE.decode(v1("frame-still"));
    assertEquals(new TileTask.Work.FrameTile(new TileRect(0, 0, 0, 64, 64), 7, null), still.work());
  }

  @Test
  void version1PassesArePassTiles() {
    TileTask first = SERDE.decode(v1("statistics-pass"));
    assertEquals(new TileTask("cat-levels", 6, 768, 512, uri("s3://photos/cat-levels.png"),
        uri("s3://tilefarm/tiles/cat-levels/pass-0/1.json"), T, null, uri("s3://tilefarm/jobs/cat-levels.json"),
        1767229200000L, new TileTask.Work.PassTile(new TileRect(1, 256, 0, 256, 256), 0, null, ETAG)), first);
    assertEquals("tile 1/6 of pass 0 of job cat-levels", first.label());
    TileTask last = SERDE.decode(v1("last-pass"));
    assertEquals(new TileTask.Work.PassTile(new TileRect(4, 256, 256, 256, 256), 1,
        uri("s3://tilefarm/tiles/cat-levels/pass-0/merged.json"), ETAG), last.work());
    assertNull(last.deadline());
  }

  @Test
  void aVersion1PackIsAPack() {
    TileTask task = SERDE.decode(v1("packed"));
    List<TileRect> tiles = List.of(new TileRect(64, 0, 64, 16, 16), new TileRect(65, 16, 64, 16, 16),
        new TileRect(66, 32, 64, 16, 16), new TileRect(67, 48, 64, 16, 16));
    assertEquals(new TileTask.Work.Pack(tiles, 4), task.work());
    assertEquals(tiles, task.tiles());
    assertEquals("tiles 64-67/256 of job stars-002", task.label());
  }

  /** Read in the old shape, written in the new: a version 1 task re-published is a version 2 record. */
  @Test
  void aVersion1TaskIsWrittenAgainAsVersion2() throws IOException {
    for (String name : List.of("animation-frame", "frame-still", "inline-job", "job-uri", "last-pass", "packed",
        "pinned-input", "statistics-pass", "with-deadline")) {
      TileTask task = SERDE.decode(v1(name));
      JsonNode written = Json.MAPPER.readTree(SERDE.encode(task));
      assertEquals(2, written.get("version").asInt(), name);
      assertTrue(written.has("work") && !written.has("tile"), name + ": " + written);
      assertTrue(ContractSchemas.validate("tile-task", written).isEmpty(), name + ": " + written);
      assertEquals(task, SERDE.decode(SERDE.encode(task)), name);
    }
  }

  @Test
  void aVersion1TaskOfTwoKindsOrAVersionNotKnownIsUndecodable() throws IOException {
    ObjectNode frameAndPass = (ObjectNode) Json.MAPPER.readTree(v1("frame-still"));
    frameAndPass.put("pass", 1);
    UndecodableException mixed = assertThrows(UndecodableException.class,
        () -> SERDE.decode(frameAndPass.toString().getBytes(StandardCharsets.UTF_8)));
    assertTrue(mixed.getMessage().contains("not of several"), mixed.getMessage());

    ObjectNode packWithoutSize = (ObjectNode) Json.MAPPER.readTree(v1("packed"));
    packWithoutSize.remove("packTiles");
    assertThrows(UndecodableException.class,
        () -> SERDE.decode(packWithoutSize.toString().getBytes(StandardCharsets.UTF_8)));

    ObjectNode v3 = (ObjectNode) Json.MAPPER.readTree(SERDE.encode(SERDE.decode(v1("job-uri"))));
    v3.put("version", 3);
    UndecodableException future = assertThrows(UndecodableException.class,
        () -> SERDE.decode(v3.toString().getBytes(StandardCharsets.UTF_8)));
    assertTrue(future.getMessage().contains("version 3"), future.getMessage());

    ObjectNode noWork = (ObjectNode) Json.MAPPER.readTree(SERDE.encode(SERDE.decode(v1("job-uri"))));
    noWork.remove("work");
    assertThrows(UndecodableException.class, () -> SERDE.decode(noWork.toString().getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theWorkIsWrittenWithItsKind() throws IOException {
    TileTask task = new TileTask("j", 4, 64, 64, uri("s3://farm/o.png"), uri("s3://farm/tiles/j/1.tft"), T, null,
        uri("s3://farm/jobs/j.json"), null, new TileTask.Work.FrameTile(new TileRect(1, 32, 0, 32, 32), 5, 4));
    JsonNode json = Json.MAPPER.readTree(SERDE.encode(task));
    assertEquals(Json.MAPPER.readTree("{\"kind\":\"frame-tile\",\"tile\":{\"index\":1,\"x\":32,\"y\":0,\"width\":32,"
        + "\"height\":32},\"frame\":5,\"frameTiles\":4}"), json.get("work"));
    assertFalse(json.has("tile") || json.has("frame") || json.has("label"), json.toString());
  }

  @Test
  void theRecordRefusesWorkThatDoesNotFitTheJob() {
    TileRect tile = new TileRect(5, 0, 0, 8, 8);
    assertThrows(IllegalArgumentException.class, () -> task(5, TileTask.Work.Tile.of(tile)), "tile 5 of 5");
    assertThrows(IllegalArgumentException.class, () -> task(10, new TileTask.Work.FrameTile(tile, 1, 4)),
        "10 tiles are no whole number of frames of 4");
    assertThrows(IllegalArgumentException.class, () -> new TileTask.Work.PassTile(tile, 1, null, null),
        "pass 1 without the statistics of pass 0");
    assertThrows(IllegalArgumentException.class,
        () -> new TileTask.Work.PassTile(tile, 0, uri("s3://farm/s.json"), null), "pass 0 with statistics");
    assertThrows(IllegalArgumentException.class, () -> new TileTask.Work.Tile(tile, ""), "an empty ETag");
    assertThrows(IllegalArgumentException.class, () -> task(6, new TileTask.Work.Pack(
        List.of(new TileRect(4, 0, 0, 8, 8), new TileRect(5, 8, 0, 8, 8), new TileRect(6, 16, 0, 8, 8)), 4)),
        "a pack past the last tile");
  }

  private static TileTask task(int tileCount, TileTask.Work work) {
    return new TileTask("j", tileCount, 64, 64, uri("s3://farm/o.png"), uri("s3://farm/t"), T, null,
        uri("s3://farm/j.json"), null, work);
  }

  @Test
  void aDoneCarriesWhatItsTaskSaysOfTheTile() {
    TileRect tile = new TileRect(17, 256, 0, 256, 256);
    TileTask frame = new TileTask("spin", 720, 1280, 720, uri("s3://renders/f-####.png"),
        uri("s3://farm/tiles/spin/17.tft"), T, null, uri("s3://farm/jobs/spin.json"), T + 5,
        new TileTask.Work.FrameTile(tile, 2, 15));
    S3Uri log = uri("s3://farm/tiles/spin/17.log");
    assertEquals(new TileResult.Done("spin", tile, 720, 1280, 720, uri("s3://renders/f-####.png"),
        uri("s3://farm/tiles/spin/17.tft"), 4, 1000, SHA, 42, "w-1", T, 2, 15, log, null, null, null),
        TileResult.Done.of(frame, TileResult.Stored.pixels(4, 1000, SHA, 42, "w-1", log)));

    TileTask pass = new TileTask("p", 6, 768, 512, uri("s3://renders/p.png"), uri("s3://farm/tiles/p/pass-1/1.json"), T,
        null, uri("s3://farm/jobs/p.json"), null, new TileTask.Work.PassTile(new TileRect(1, 256, 0, 256, 256), 1,
            uri("s3://farm/tiles/p/pass-0/merged.json"), null));
    TileResult.Done statistics = TileResult.Done.of(pass, TileResult.Stored.statistics(300, SHA, 7, "w-2"));
    assertEquals(1, statistics.pass(), "statistics are reported with their pass");
    assertEquals(1, statistics.channels());
    TileResult.Done pixels = TileResult.Done.of(pass, TileResult.Stored.pixels(3, 300, SHA, 7, "w-2", null));
    assertNull(pixels.pass(), "the last pass's pixels are a tile like any other");

    TileTask render = task(8, TileTask.Work.Tile.of(new TileRect(2, 16, 0, 8, 8)));
    assertThrows(IllegalArgumentException.class,
        () -> TileResult.Done.of(render, TileResult.Stored.statistics(1, SHA, 1, "w")), "no statistics but of a pass");
    assertEquals(new TileResult.Failed("j", new TileRect(2, 16, 0, 8, 8), 8, "bad", "w", T, null),
        TileResult.Failed.of(render, "bad", "w", null));
  }
}
