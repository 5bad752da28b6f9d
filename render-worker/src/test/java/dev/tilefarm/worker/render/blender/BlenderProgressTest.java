package dev.tilefarm.worker.render.blender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Progress from Blender's real output: logs captured from /usr/bin/blender 3.4.1 running the worker's driver
 * (tile.py) on BlenderTest's scene, the whole 160x120 frame as the region: at 4096 samples in Cycles' one tile,
 * and at 1024 samples with the scene's tile_size set to 64, which makes Cycles render the region as 6 tiles.
 */
class BlenderProgressTest {
  private static List<Integer> feed(String resource) throws IOException {
    List<Integer> out = new ArrayList<>();
    BlenderProgress progress = new BlenderProgress();
    try (InputStream in = BlenderProgressTest.class.getResourceAsStream(resource)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("[\r\n]")) {
        int p = progress.accept(line);
        if (p >= 0) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /** In background mode Cycles prints samples 0, 1, then one batch about 30 s later, then the last. */
  @Test
  void oneCyclesTileReportsItsSamples() throws IOException {
    assertEquals(List.of(50, 100), feed("one-tile-4096-samples.log"));
  }

  /**
   * "Rendered 1/6 Tiles, Sample 1024/1024" repeats the finished tile's samples on the line that counts it: read
   * naively the progress would go 100, 0, 100, 0 with every tile.
   */
  @Test
  void severalCyclesTilesCountFinishedTilesAndTheTileInHand() throws IOException {
    assertEquals(List.of(16, 33, 50, 66, 83, 100), feed("six-tiles-1024-samples.log"));
  }

  @Test
  void aLineWithinATileRaisesItsShare() {
    BlenderProgress p = new BlenderProgress();
    assertEquals(-1, p.accept("Fra:1 Mem:9.19M (Peak 9.19M) | Time:00:00.06 | Scene, ViewLayer | Updating Shaders"));
    assertEquals(-1, p.accept("Sample 99999999999999999999/1"), "no number too long for a long is read");
    assertEquals(-1, p.accept("Fra:1 Mem:2.41M | Time:00:00.06 | Scene, ViewLayer | Rendered 0/4 Tiles, Sample 0/64"));
    assertEquals(12, p.accept("Fra:1 Mem:2.41M | Time:00:02.00 | Scene, ViewLayer | Rendered 0/4 Tiles, Sample 32/64"));
    assertEquals(25, p.accept("Fra:1 Mem:2.41M | Time:00:04.00 | Scene, ViewLayer | Rendered 0/4 Tiles, Sample 64/64"));
    assertEquals(-1, p.accept("Fra:1 Mem:2.41M | Time:00:04.00 | Scene, ViewLayer | Rendered 1/4 Tiles, Sample 64/64"));
    assertEquals(37, p.accept("Fra:1 Mem:2.41M | Time:00:06.00 | Scene, ViewLayer | Rendered 1/4 Tiles, Sample 32/64"));
    assertTrue(p.accept("Fra:1 Mem:2.41M | Time:00:06.00 | Scene, ViewLayer | Rendered 1/4 Tiles, Sample 1/64") < 0);
  }
}
