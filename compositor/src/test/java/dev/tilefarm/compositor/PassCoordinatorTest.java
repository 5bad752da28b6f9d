package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileKeys;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The statistics passes: counted once per tile, merged when the last tile is in, the next pass started once. */
class PassCoordinatorTest {
  private static final S3Uri OUTPUT = S3Uri.parse("s3://tilefarm/outputs/j.png");
  private final Map<S3Uri, byte[]> objects = new HashMap<>();
  private final Blobs blobs = new Blobs() {
    @Override
    public byte[] get(S3Uri uri) {
      byte[] b = objects.get(uri);
      if (b == null) {
        throw new BlobNotFoundException(uri, null);
      }
      return b;
    }

    @Override
    public void put(S3Uri uri, byte[] bytes, String contentType) {
      objects.put(uri, bytes);
    }

    @Override
    public boolean exists(S3Uri uri) {
      return objects.containsKey(uri);
    }
  };

  private void put(S3Uri uri, String json) {
    objects.put(uri, json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  /** A 20x10 grey image in 10-pixel tiles: two statistics tiles, each with 100 pixels of one value. */
  private TileResult.Done statsTile(int index, int pass) {
    TileTask task = new TileTask("j", 2, 20, 10, OUTPUT, TileKeys.stats("tilefarm", "j", pass, index), 5L, null,
        TileKeys.jobSpec("tilefarm", "j"), null, new TileTask.Work.PassTile(new TileRect(index, index * 10, 0, 10, 10),
            pass, pass == 0 ? null : TileKeys.mergedStats("tilefarm", "j", pass - 1), null));
    return TileResult.Done.of(task, TileResult.Stored.statistics(10, "0".repeat(64), 1, "w"));
  }

  @Test
  void theLastTileOfAPassMergesItAndStartsTheNextOnce() throws Exception {
    put(TileKeys.jobSpec("tilefarm", "j"), "{'id':'j','type':'process','input':'s3://in-bucket/a.png','tileSize':10,"
        + "'ops':[{'op':'equalize-hist'},{'op':'otsu-threshold'}]}");
    for (int i = 0; i < 2; i++) {
      int[] hist = new int[256];
      hist[i == 0 ? 10 : 200] = 100;
      put(TileKeys.stats("tilefarm", "j", 0, i), "{'inputWidth':20,'inputHeight':10,'hist':["
          + Json.MAPPER.writeValueAsString(hist) + "]}");
    }
    PassCoordinator passes = new PassCoordinator(blobs, "tilefarm");

    PassCoordinator.Step first = passes.accept("j", null, statsTile(0, 0));
    assertTrue(first.tasks().isEmpty());
    assertNull(first.failure());
    PassCoordinator.Step again = passes.accept("j", first.state(), statsTile(0, 0));
    assertTrue(again.tasks().isEmpty(), "a duplicate tile counts once");
    assertEquals(first.state(), again.state());

    PassCoordinator.Step last = passes.accept("j", again.state(), statsTile(1, 0));
    assertNull(last.failure());
    List<TileTask> tasks = last.tasks();
    assertEquals(2, tasks.size(), "pass 1 (otsu's statistics) over the same 20x10 image");
    TileTask task = tasks.get(0);
    TileTask.Work.PassTile work = (TileTask.Work.PassTile) task.work();
    assertEquals(1, work.pass());
    assertEquals(TileKeys.mergedStats("tilefarm", "j", 0), work.stats());
    assertEquals(TileKeys.stats("tilefarm", "j", 1, 0), task.tileUri());
    assertEquals(TileKeys.jobSpec("tilefarm", "j"), task.jobUri());
    JsonNode merged = Json.MAPPER.readTree(objects.get(work.stats()));
    assertEquals(10, merged.get("tileSize").asInt());
    JsonNode hist = merged.get("passes").get(0).get("hist").get(0);
    assertEquals(100, hist.get(10).asInt());
    assertEquals(100, hist.get(200).asInt());

    // A late duplicate of pass 0 changes nothing; pass 1's last tile starts the output pass.
    PassCoordinator.Step late = passes.accept("j", last.state(), statsTile(1, 0));
    assertTrue(late.tasks().isEmpty());
    for (int i = 0; i < 2; i++) {
      put(TileKeys.stats("tilefarm", "j", 1, i), "{'inputWidth':20,'inputHeight':10,'hist':["
          + Json.MAPPER.writeValueAsString(new int[256]).replace("[0,", "[100,") + "]}");
    }
    PassCoordinator.Step p1 = passes.accept("j", late.state(), statsTile(0, 1));
    PassCoordinator.Step output = passes.accept("j", p1.state(), statsTile(1, 1));
    assertEquals(2, output.tasks().size());
    assertEquals(TileKeys.tile("tilefarm", "j", 0), output.tasks().get(0).tileUri());
    TileTask.Work.PassTile outputWork = (TileTask.Work.PassTile) output.tasks().get(0).work();
    assertEquals(2, outputWork.pass());
    JsonNode both = Json.MAPPER.readTree(objects.get(outputWork.stats()));
    assertEquals(2, both.get("passes").size(), "the merged statistics of both passes travel to the output pass");
  }

  @Test
  void missingStatisticsFailTheJobWithAReason() {
    put(TileKeys.jobSpec("tilefarm", "j"), "{'id':'j','type':'process','input':'s3://in-bucket/a.png','tileSize':10,"
        + "'ops':[{'op':'normalize'}]}");
    PassCoordinator passes = new PassCoordinator(blobs, "tilefarm");
    PassCoordinator.Step first = passes.accept("j", null, statsTile(0, 0));
    PassCoordinator.Step last = passes.accept("j", first.state(), statsTile(1, 0));
    assertNotNull(last.failure());
    assertTrue(last.failure().startsWith("merging the statistics of pass 0: "), last.failure());
  }
}
