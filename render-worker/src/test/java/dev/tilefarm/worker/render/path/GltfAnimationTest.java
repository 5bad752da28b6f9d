package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The hand-written {@code animated/slide.gltf}: node "slider" (a 0.5-unit square) moves LINEAR in x from -0.5 at
 * 0 s to 0.5 at 1 s and doubles in size (STEP) at 0.75 s; node "spinner" (at z = 10) turns LINEAR from no rotation
 * to 90 degrees about z over 1 s. Where its corners land is worked out by hand.
 */
class GltfAnimationTest {
  private static byte[] slide() throws IOException {
    try (InputStream in = GltfAnimationTest.class.getResourceAsStream("/animated/slide.gltf")) {
      return in.readAllBytes();
    }
  }

  private static GltfLoader.Loaded at(Double seconds) throws IOException {
    return GltfLoader.load("slide.gltf", slide(), SceneAssets.NONE, (bytes, srgb, what) -> {
      throw new AssertionError("no images");
    }, seconds);
  }

  private static void assertAt(Vec3 want, Vec3 got) {
    assertEquals(want.x(), got.x(), 1e-6, "x of " + got);
    assertEquals(want.y(), got.y(), 1e-6, "y of " + got);
    assertEquals(want.z(), got.z(), 1e-6, "z of " + got);
  }

  @Test
  void theChannelsPoseTheNodesAtTheGivenTime() throws IOException {
    Vec3 corner = new Vec3(0.25, 0.25, 0);
    // 0.5 s: half way from -0.5 to 0.5 is 0; scale still 1.
    assertAt(new Vec3(0.25, 0.25, 0), at(0.5).meshes().get(0).toFile().point(corner));
    // 0.8 s: x = -0.5 + 0.8 = 0.3, scale 2 since 0.75 s: the corner at (0.5 + 0.3, 0.5, 0).
    assertAt(new Vec3(0.8, 0.5, 0), at(0.8).meshes().get(0).toFile().point(corner));
    // 0 s: x = -0.5.
    assertAt(new Vec3(-0.25, 0.25, 0), at(0.0).meshes().get(0).toFile().point(corner));
    // The spinner at 0.5 s is turned 45 degrees about z: (1, 0, 0) goes to (cos 45, sin 45, 0), then up to z = 10.
    double s45 = Math.sqrt(0.5);
    assertAt(new Vec3(s45, s45, 10), at(0.5).meshes().get(1).toFile().point(new Vec3(1, 0, 0)));
  }

  @Test
  void withoutATimeTheNodesRestWhereTheFilePutsThem() throws IOException {
    GltfLoader.Loaded rest = at(null);
    assertAt(new Vec3(0.25, 0.25, 0), rest.meshes().get(0).toFile().point(new Vec3(0.25, 0.25, 0)));
    assertAt(new Vec3(1, 0, 10), rest.meshes().get(1).toFile().point(new Vec3(1, 0, 0)));
  }

  @Test
  void weightChannelsAreRefusedNamingTheChannel() throws IOException {
    byte[] weights = new String(slide(), java.nio.charset.StandardCharsets.UTF_8)
        .replace("\"path\": \"scale\"", "\"path\": \"weights\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    SceneAssetException e = org.junit.jupiter.api.Assertions.assertThrows(SceneAssetException.class,
        () -> GltfLoader.load("slide.gltf", weights, SceneAssets.NONE, (b, s, w) -> null, 0.0));
    assertTrue(e.getMessage().contains("animation 0 channel 1 animates morph target weights"), e.getMessage());
  }
}
