package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * A glTF scene built here, from bytes, rendered through the worker's entry point (as a stored zip holding a
 * scene.json that imports the .glb) and compared with an expected image kept as data
 * ({@code golden/gltf-scene.png}).
 *
 * <p>The scene exercises what the loader must get right: a base-colour texture (embedded PNG), a metallic
 * material, an emissive panel with KHR_materials_emissive_strength (a sampled area light), one mesh used by
 * two nodes with different transforms (instancing), a node rotation and scale, the file's perspective
 * camera and a KHR_lights_punctual point light.
 *
 * <p>Tolerance. Rendering is deterministic, so on unchanged code the image is byte-identical. The
 * tolerance is there so that a change which only re-rolls the noise (a different order of sample
 * dimensions, a new sampling routine that is equally correct) does not need a new golden image, while
 * anything that changes what is drawn does: the mean absolute difference per channel must stay within
 * {@value #MEAN_TOLERANCE} of 255 and each channel's image mean within {@value #BIAS_TOLERANCE}. Rendering
 * the same scene with another seed (a pure noise re-roll at this sample count) differs by a mean absolute
 * difference of 5.2 and channel means within 0.08 (measured when the golden was made); a missing
 * texture, light, instance or wrong transform moves both by far more.
 *
 * <p>To regenerate deliberately: {@code ./mvnw -pl render-worker test -Dtest=GltfSceneTest
 * -Dtilefarm.writeGolden=true}, look at the image, and commit it.
 */
class GltfSceneTest {
  static final double MEAN_TOLERANCE = 8;
  static final double BIAS_TOLERANCE = 1.5;
  private static final int W = 96;
  private static final int H = 64;
  private static final String GOLDEN = "golden/gltf-scene.png";

  /** The scene as a .glb, written from nothing but numbers. */
  static byte[] sceneGlb() {
    TestGltf g = new TestGltf();
    g.array("extensionsUsed").add("KHR_lights_punctual").add("KHR_materials_emissive_strength");
    BufferedImage checker = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        checker.setRGB(x, y, ((x / 2 + y / 2) & 1) == 0 ? 0xd8d0c0 : 0x305070);
      }
    }
    int tex = g.texture(checker);
    ObjectNode ground = g.array("materials").addObject();
    ground.putObject("pbrMetallicRoughness").put("metallicFactor", 0.0).put("roughnessFactor", 0.9)
        .putObject("baseColorTexture").put("index", tex);
    ObjectNode gold = g.array("materials").addObject();
    gold.putObject("pbrMetallicRoughness").put("metallicFactor", 1.0).put("roughnessFactor", 0.35)
        .putArray("baseColorFactor").add(1.0).add(0.78).add(0.34).add(1.0);
    ObjectNode panel = g.array("materials").addObject();
    panel.putObject("pbrMetallicRoughness").putArray("baseColorFactor").add(0.0).add(0.0).add(0.0).add(1.0);
    panel.putArray("emissiveFactor").add(1.0).add(0.9).add(0.8);
    panel.putObject("extensions").putObject("KHR_materials_emissive_strength").put("emissiveStrength", 6.0);

    int groundMesh = g.mesh(new float[] {-3, 0, -3, 3, 0, -3, 3, 0, 3, -3, 0, 3},
        new float[] {0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0}, new float[] {0, 0, 3, 0, 3, 3, 0, 3},
        new int[] {0, 2, 1, 0, 3, 2}, 0);
    int cube = g.mesh(cubePositions(), cubeNormals(), null, cubeIndices(), 1);
    int lamp = g.mesh(new float[] {-0.6f, 2.6f, -0.6f, 0.6f, 2.6f, -0.6f, 0.6f, 2.6f, 0.6f, -0.6f, 2.6f, 0.6f},
        new float[] {0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0}, null, new int[] {0, 1, 2, 0, 2, 3}, 2);
    g.node().put("mesh", groundMesh);
    g.node().put("mesh", cube).putArray("translation").add(-0.8).add(0.5).add(0.0);
    ObjectNode second = g.node().put("mesh", cube);
    second.putArray("translation").add(0.9).add(0.35).add(0.4);
    double half = Math.toRadians(30) / 2;
    second.putArray("rotation").add(0.0).add(Math.sin(half)).add(0.0).add(Math.cos(half));
    second.putArray("scale").add(0.7).add(0.7).add(0.7);
    g.node().put("mesh", lamp);
    g.array("cameras").addObject().put("type", "perspective").putObject("perspective").put("yfov", 0.75)
        .put("znear", 0.1);
    ObjectNode cam = g.node().put("camera", 0);
    cam.putArray("translation").add(0.0).add(1.6).add(4.2);
    double tilt = Math.toRadians(-16) / 2;
    cam.putArray("rotation").add(Math.sin(tilt)).add(0.0).add(0.0).add(Math.cos(tilt));
    g.root.putObject("extensions").putObject("KHR_lights_punctual").putArray("lights").addObject()
        .put("type", "point").put("intensity", 6000.0).putArray("color").add(1.0).add(0.95).add(0.9);
    ObjectNode light = g.node();
    light.putArray("translation").add(2.0).add(2.5).add(2.0);
    light.putObject("extensions").putObject("KHR_lights_punctual").put("light", 0);
    return g.glb();
  }

  static float[] cubePositions() {
    float[] p = new float[72];
    int[][] faces = {{0, 1}, {0, -1}, {1, 1}, {1, -1}, {2, 1}, {2, -1}};
    int i = 0;
    for (int[] f : faces) {
      int axis = f[0];
      int u = (axis + 1) % 3;
      int v = (axis + 2) % 3;
      float[][] corners = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
      for (float[] c : corners) {
        float[] pt = new float[3];
        pt[axis] = 0.5f * f[1];
        pt[u] = 0.5f * c[0];
        pt[v] = 0.5f * c[1] * f[1];
        System.arraycopy(pt, 0, p, i, 3);
        i += 3;
      }
    }
    return p;
  }

  static float[] cubeNormals() {
    float[] n = new float[72];
    int[][] faces = {{0, 1}, {0, -1}, {1, 1}, {1, -1}, {2, 1}, {2, -1}};
    for (int f = 0; f < 6; f++) {
      for (int c = 0; c < 4; c++) {
        n[12 * f + 3 * c + faces[f][0]] = faces[f][1];
      }
    }
    return n;
  }

  static int[] cubeIndices() {
    int[] idx = new int[36];
    for (int f = 0; f < 6; f++) {
      int v = 4 * f;
      System.arraycopy(new int[] {v, v + 1, v + 2, v, v + 2, v + 3}, 0, idx, 6 * f, 6);
    }
    return idx;
  }

  private static final S3Uri SCENE = S3Uri.parse("s3://scenes-bucket/tests/scene.zip");

  /** A stored scene: a zip holding scene.json, which imports the .glb from a sub-folder under a dim sky. */
  static byte[] sceneZip() throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("scene.json"));
      zip.write("{\"sky\": [0.04, 0.05, 0.08], \"maxDepth\": 6, \"objects\": [{\"type\": \"gltf\", \"file\": \"model/scene.glb\"}]}"
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      zip.putNextEntry(new java.util.zip.ZipEntry("model/scene.glb"));
      zip.write(sceneGlb());
    }
    return bytes.toByteArray();
  }

  static TileImage render(long seed, int tileSize) throws Exception {
    byte[] zip = sceneZip();
    TileRenderer renderer = new TileRenderer(2, Long.MAX_VALUE, uri -> {
      assertEquals(SCENE, uri);
      return zip;
    });
    JobRequest.Render job = new JobRequest.Render("gltf-" + seed, W, H, Renderer.BUILTIN,
        new SceneSpec.Stored(SCENE), 32,
        seed, 0, null);
    byte[] out = new byte[W * H * 3];
    for (int y = 0; y < H; y += tileSize) {
      for (int x = 0; x < W; x += tileSize) {
        TileRect rect = new TileRect(0, x, y, Math.min(tileSize, W - x), Math.min(tileSize, H - y));
        TileImage t = renderer.render(job, rect, W, H);
        for (int row = 0; row < rect.height(); row++) {
          System.arraycopy(t.pixels(), row * t.stride(), out, ((y + row) * W + x) * 3, t.stride());
        }
      }
    }
    return new TileImage(W, H, 3, out);
  }

  @Test
  void theGltfSceneMatchesTheExpectedImage() throws Exception {
    TileImage image = render(7, 1000);
    if (Boolean.getBoolean("tilefarm.writeGolden")) {
      Path file = Path.of("src/test/resources").resolve(GOLDEN);
      Files.createDirectories(file.getParent());
      ImageIO.write(toImage(image), "png", file.toFile());
      System.out.println("wrote " + file.toAbsolutePath() + "; seed-noise reference: "
          + java.util.Arrays.toString(compare(image, render(8, 1000))));
    }
    BufferedImage expected;
    try (InputStream in = GltfSceneTest.class.getResourceAsStream("/" + GOLDEN)) {
      if (in == null) {
        throw new IOException(GOLDEN + " is missing from the test resources");
      }
      expected = ImageIO.read(in);
    }
    double[] d = compare(image, fromImage(expected));
    assertTrue(d[0] <= MEAN_TOLERANCE, "mean absolute difference " + d[0] + " > " + MEAN_TOLERANCE);
    for (int c = 0; c < 3; c++) {
      assertTrue(Math.abs(d[1 + c]) <= BIAS_TOLERANCE, "channel " + c + " mean moved by " + d[1 + c]);
    }
  }

  @Test
  void theGltfSceneIsTheSameForAnyTiling() throws Exception {
    assertArrayEquals(render(7, 1000).pixels(), render(7, 13).pixels());
  }

  /** {mean absolute difference, then each channel's difference of means}, in 8-bit levels. */
  static double[] compare(TileImage a, TileImage b) {
    assertEquals(a.pixels().length, b.pixels().length);
    double abs = 0;
    double[] mean = new double[3];
    for (int i = 0; i < a.pixels().length; i++) {
      int x = a.pixels()[i] & 0xff;
      int y = b.pixels()[i] & 0xff;
      abs += Math.abs(x - y);
      mean[i % 3] += x - y;
    }
    int n = a.pixels().length;
    return new double[] {abs / n, mean[0] * 3 / n, mean[1] * 3 / n, mean[2] * 3 / n};
  }

  static BufferedImage toImage(TileImage t) {
    BufferedImage img = new BufferedImage(t.width(), t.height(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < t.height(); y++) {
      for (int x = 0; x < t.width(); x++) {
        int i = 3 * (y * t.width() + x);
        img.setRGB(x, y, ((t.pixels()[i] & 0xff) << 16) | ((t.pixels()[i + 1] & 0xff) << 8) | (t.pixels()[i + 2] & 0xff));
      }
    }
    return img;
  }

  static TileImage fromImage(BufferedImage img) {
    byte[] px = new byte[img.getWidth() * img.getHeight() * 3];
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int i = 3 * (y * img.getWidth() + x);
        px[i] = (byte) (rgb >> 16);
        px[i + 1] = (byte) (rgb >> 8);
        px[i + 2] = (byte) rgb;
      }
    }
    return new TileImage(img.getWidth(), img.getHeight(), 3, px);
  }

}
