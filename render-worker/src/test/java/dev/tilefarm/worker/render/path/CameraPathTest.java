package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tilefarm.schemas.SceneSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The camera between its keys, against values worked out by hand. */
class CameraPathTest {
  private final SceneSpec.Camera a = new SceneSpec.Camera(new double[] {0, 0, 10}, new double[] {0, 0, 0},
      new double[] {0, 1, 0}, 40, 0, 10);
  private final SceneSpec.Camera b = new SceneSpec.Camera(new double[] {10, 0, 10}, new double[] {5, 0, 0},
      new double[] {0, 1, 0}, 60, 0.5, 20);
  private final List<SceneSpec.CameraKey> keys = List.of(new SceneSpec.CameraKey(0, a), new SceneSpec.CameraKey(10, b));

  @Test
  void betweenKeysEveryFieldMovesLinearly() {
    SceneSpec.Camera c = CameraPath.at(keys, 4);
    // 4 of 10 frames along: position x 4, lookAt x 2, fov 48, aperture 0.2, focus 14.
    assertArrayEquals(new double[] {4, 0, 10}, c.position(), 1e-12);
    assertArrayEquals(new double[] {2, 0, 0}, c.lookAt(), 1e-12);
    assertEquals(48, c.fov(), 1e-12);
    assertEquals(0.2, c.aperture(), 1e-12);
    assertEquals(14, c.focusDistance(), 1e-12);
  }

  @Test
  void outsideTheKeysAndWithoutAFrameTheCameraHolds() {
    assertSame(a, CameraPath.at(keys, -5));
    assertSame(a, CameraPath.at(keys, null));
    assertSame(b, CameraPath.at(keys, 10));
    assertSame(b, CameraPath.at(keys, 99));
  }
}
