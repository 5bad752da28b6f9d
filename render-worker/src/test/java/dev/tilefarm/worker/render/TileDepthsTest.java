package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The builtin renderer's tiles at each bit depth a job asks for: 16-bit sRGB scales down to the 8-bit tile, float
 * radiance tone-maps to it (by the curve docs/scenes.md states, written out here again), and every depth keys its
 * pixels on absolute coordinates, so a tile cut differently holds the same samples.
 */
class TileDepthsTest {
  private static final int W = 24;
  private static final int H = 16;
  private final TileRenderer renderer = new TileRenderer(2);

  private JobRequest.Render job(String id, int bitDepth) {
    return new JobRequest.Render(id, W, H, Renderer.BUILTIN, TileRendererTest.litScene(3), 4, 11, 0, null, null, 0,
        bitDepth);
  }

  private TileImage render(int bitDepth, TileRect rect) throws Exception {
    return renderer.render(job("depth-" + bitDepth, bitDepth), rect, W, H);
  }

  @Test
  void sixteenBitSrgbScalesDownToTheEightBitTile() throws Exception {
    TileRect all = new TileRect(0, 0, 0, W, H);
    TileImage eight = render(8, all);
    TileImage sixteen = render(16, all);
    assertEquals(16, sixteen.bitDepth());
    int between = 0;
    for (int i = 0; i < W * H * 3; i++) {
      int v16 = (sixteen.pixels()[i * 2] & 0xff) << 8 | sixteen.pixels()[i * 2 + 1] & 0xff;
      int v8 = eight.pixels()[i] & 0xff;
      assertTrue(Math.abs(v16 / 257.0 - v8) <= 0.5 + 1e-9, "sample " + i + ": " + v16 + " vs " + v8);
      between += v16 % 257 != 0 ? 1 : 0;
    }
    assertTrue(between > W * H, "most 16-bit samples lie between the 8-bit steps: " + between);
  }

  @Test
  void floatRadianceToneMapsToTheEightBitTile() throws Exception {
    TileRect all = new TileRect(0, 0, 0, W, H);
    TileImage eight = render(8, all);
    TileImage floats = render(JobRequest.Render.FLOAT, all);
    assertEquals(TileImage.FLOAT, floats.bitDepth());
    ByteBuffer f = ByteBuffer.wrap(floats.pixels());
    float max = 0;
    for (int i = 0; i < W * H * 3; i++) {
      float v = f.getFloat(i * 4);
      max = Math.max(max, v);
      double x = v * 0.6;
      double aces = Math.min(1, Math.max(0, x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14)));
      double srgb = aces <= 0.0031308 ? 12.92 * aces : 1.055 * Math.pow(aces, 1 / 2.4) - 0.055;
      // float rounding of the radiance may move a value sitting on a rounding boundary by one step
      assertTrue(Math.abs(srgb * 255 - (eight.pixels()[i] & 0xff)) <= 0.5 + 1e-3, "sample " + i);
    }
    assertTrue(max > 1, "the lamp is brighter than display white: " + max);
  }

  @Test
  void everyDepthGivesTheSameSamplesForADifferentCut() throws Exception {
    for (int depth : new int[] {16, JobRequest.Render.FLOAT}) {
      TileImage whole = render(depth, new TileRect(0, 0, 0, W, H));
      TileImage part = render(depth, new TileRect(1, 5, 3, 11, 9));
      int bytes = depth / 8 * 3;
      for (int y = 0; y < 9; y++) {
        byte[] want = new byte[11 * bytes];
        System.arraycopy(whole.pixels(), ((3 + y) * W + 5) * bytes, want, 0, want.length);
        byte[] got = new byte[11 * bytes];
        System.arraycopy(part.pixels(), y * 11 * bytes, got, 0, got.length);
        assertArrayEquals(want, got, depth + " bits, row " + y);
      }
    }
  }
}
