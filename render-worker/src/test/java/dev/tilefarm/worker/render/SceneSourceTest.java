package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Scenes and assets from storage: archives, folders, OBJ/MTL, HDR maps, and every way they can be wrong,
 * each failing the tile with a reason that names what is wrong.
 */
class SceneSourceTest {
  private final Map<S3Uri, byte[]> store = new HashMap<>();

  private TileRenderer renderer() {
    return new TileRenderer(2, Long.MAX_VALUE, uri -> {
      byte[] b = store.get(uri);
      if (b == null) {
        throw new BlobNotFoundException(uri, null);
      }
      return b;
    });
  }

  private static JobRequest.Render job(String sceneJson) {
    return (JobRequest.Render) JobCodec.decode(JobCodec.parse(("{\"id\":\"s\",\"type\":\"render\",\"renderer\":\"builtin\","
        + "\"width\":24,\"height\":16,\"samples\":2,\"scene\":" + sceneJson + "}").getBytes(StandardCharsets.UTF_8)), "s");
  }

  private TileImage render(JobRequest.Render job) throws TileFailedException {
    return renderer().render(job, new TileRect(0, 0, 0, 24, 16), 24, 16);
  }

  static byte[] zip(Map<String, byte[]> entries) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
      }
    }
    return bytes.toByteArray();
  }

  /** A ustar archive of regular files (type '0') or, for names ending in "@link", a symlink. */
  static byte[] tar(Map<String, byte[]> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      boolean link = e.getKey().endsWith("@link");
      String name = link ? e.getKey().substring(0, e.getKey().length() - 5) : e.getKey();
      byte[] h = new byte[512];
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      System.arraycopy(n, 0, h, 0, n.length);
      put(h, 100, "0000644");
      put(h, 108, "0000000");
      put(h, 116, "0000000");
      put(h, 124, String.format("%011o", link ? 0 : e.getValue().length));
      put(h, 136, "00000000000");
      h[156] = (byte) (link ? '2' : '0');
      put(h, 257, "ustar");
      h[262] = 0;
      put(h, 263, "00");
      for (int i = 148; i < 156; i++) {
        h[i] = ' ';
      }
      int sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      out.writeBytes(h);
      if (!link) {
        out.writeBytes(e.getValue());
        out.writeBytes(new byte[(512 - e.getValue().length % 512) % 512]);
      }
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final String OBJ = "mtllib m.mtl\nv -1 0 -1\nv 1 0 -1\nv 1 0 1\nv -1 0 1\nusemtl floor\nf 1 4 3 2\n";
  private static final String MTL = "newmtl floor\nKd 0.8 0.7 0.6\n";
  private static final String CAMERA = "\"camera\":{\"position\":[0,2,3],\"lookAt\":[0,0,0]},\"sky\":[1,1,1]";

  @Test
  void anObjWithItsMtlRendersFromATarArchive() throws Exception {
    Map<String, byte[]> files = new java.util.TreeMap<>();
    files.put("model/floor.obj", utf8(OBJ));
    files.put("model/m.mtl", utf8(MTL));
    store.put(S3Uri.parse("s3://bkt/set.tar"), tar(files));
    TileImage image = render(job("{" + CAMERA + ",\"assets\":\"s3://bkt/set.tar\",\"objects\":[{\"type\":\"mesh\",\"file\":\"model/floor.obj\"}]}"));
    // The floor fills the middle of the view, lit by the white sky: warm (red above blue, as its Kd).
    int i = 3 * (8 * 24 + 12);
    assertTrue((image.pixels()[i] & 0xff) > (image.pixels()[i + 2] & 0xff), "the floor's Kd colour");
  }

  @Test
  void aStoredSceneFolderResolvesRelativePathsBesideTheSceneFile() throws Exception {
    store.put(S3Uri.parse("s3://bkt/scenes/x/scene.json"), utf8("{" + CAMERA
        + ",\"objects\":[{\"type\":\"mesh\",\"file\":\"floor.obj\"}]}"));
    store.put(S3Uri.parse("s3://bkt/scenes/x/floor.obj"), utf8(OBJ));
    store.put(S3Uri.parse("s3://bkt/scenes/x/m.mtl"), utf8(MTL));
    render(job("\"s3://bkt/scenes/x/scene.json\""));
  }

  @Test
  void aMissingAssetFailsTheTileNamingIt() {
    store.put(S3Uri.parse("s3://bkt/set/floor.obj"), utf8(OBJ));
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("{" + CAMERA
        + ",\"assets\":\"s3://bkt/set/\",\"objects\":[{\"type\":\"mesh\",\"file\":\"floor.obj\"}]}")));
    assertTrue(e.getMessage().contains("'m.mtl'") && e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void anObjNamingAnUndefinedMaterialFailsNamingBoth() {
    store.put(S3Uri.parse("s3://bkt/set/floor.obj"), utf8(OBJ.replace("usemtl floor", "usemtl marble")));
    store.put(S3Uri.parse("s3://bkt/set/m.mtl"), utf8(MTL));
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("{" + CAMERA
        + ",\"assets\":\"s3://bkt/set/\",\"objects\":[{\"type\":\"mesh\",\"file\":\"floor.obj\"}]}")));
    assertTrue(e.getMessage().contains("'floor.obj'") && e.getMessage().contains("'marble'"), e.getMessage());
  }

  @Test
  void anArchiveEntryClimbingOutOfItsRootRefusesTheArchive() throws Exception {
    store.put(S3Uri.parse("s3://bkt/evil.zip"), zip(Map.of("../../etc/passwd", utf8("x"), "scene.json", utf8("{}"))));
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("\"s3://bkt/evil.zip\"")));
    assertTrue(e.getMessage().contains("'../../etc/passwd'") && e.getMessage().contains("climbs out"), e.getMessage());
  }

  @Test
  void aLinkInATarArchiveRefusesTheArchive() {
    Map<String, byte[]> files = new java.util.TreeMap<>();
    files.put("floor.obj", utf8(OBJ));
    files.put("m.mtl@link", new byte[0]);
    store.put(S3Uri.parse("s3://bkt/set.tar"), tar(files));
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("{" + CAMERA
        + ",\"assets\":\"s3://bkt/set.tar\",\"objects\":[{\"type\":\"mesh\",\"file\":\"floor.obj\"}]}")));
    assertTrue(e.getMessage().contains("link"), e.getMessage());
  }

  @Test
  void aGltfReferenceClimbingOutOfTheAssetsFails() throws Exception {
    TestGltf g = new TestGltf();
    g.mesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, null, null, new int[] {0, 1, 2}, 0);
    g.array("materials").addObject();
    g.node().put("mesh", 0);
    byte[][] parts = g.gltfWithExternalBuffer("../../private/data.bin");
    store.put(S3Uri.parse("s3://bkt/set/m/model.gltf"), parts[0]);
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("{" + CAMERA
        + ",\"assets\":\"s3://bkt/set/\",\"objects\":[{\"type\":\"gltf\",\"file\":\"m/model.gltf\"}]}")));
    assertTrue(e.getMessage().contains("climbs out"), e.getMessage());
  }

  @Test
  void aGltfWithAnExternalBufferLoadsItBesideTheFile() throws Exception {
    TestGltf g = new TestGltf();
    g.mesh(new float[] {-1, 0, -1, 1, 0, -1, 0, 0, 1}, null, null, new int[] {0, 2, 1}, 0);
    g.array("materials").addObject();
    g.node().put("mesh", 0);
    byte[][] parts = g.gltfWithExternalBuffer("model%20data.bin");
    store.put(S3Uri.parse("s3://bkt/set/m/model.gltf"), parts[0]);
    store.put(S3Uri.parse("s3://bkt/set/m/model data.bin"), parts[1]);
    render(job("{" + CAMERA + ",\"assets\":\"s3://bkt/set/\",\"objects\":[{\"type\":\"gltf\",\"file\":\"m/model.gltf\"}]}"));
  }

  /** One triangle: positions (3 x VEC3 floats, 36 bytes) in buffer view 0, indices (3 shorts) in view 1 at 36. */
  private static TestGltf triangle() {
    TestGltf g = new TestGltf();
    g.mesh(new float[] {-1, 0, -1, 1, 0, -1, 0, 0, 1}, null, null, new int[] {0, 2, 1}, 0);
    g.array("materials").addObject();
    g.node().put("mesh", 0);
    return g;
  }

  @Test
  void aTruncatedGltfBufferFailsSayingWhichViewReadsPastItsEnd() throws Exception {
    byte[][] parts = triangle().gltfWithExternalBuffer("data.bin");
    store.put(S3Uri.parse("s3://bkt/short/model.gltf"), parts[0]);
    // 44 bytes (36 of positions, 6 of indices, 2 of padding) cut to 40: the indices' view ends at 42.
    store.put(S3Uri.parse("s3://bkt/short/data.bin"), java.util.Arrays.copyOf(parts[1], 40));
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("{" + CAMERA
        + ",\"assets\":\"s3://bkt/short/\",\"objects\":[{\"type\":\"gltf\",\"file\":\"model.gltf\"}]}")));
    assertTrue(e.getMessage().contains("buffer view 1 reads past the end of buffer 0 (needs 42 bytes, has 40)"),
        e.getMessage());
  }

  @Test
  void anAccessorLongerThanItsBufferViewFailsNamingBoth() throws Exception {
    TestGltf g = triangle();
    ((com.fasterxml.jackson.databind.node.ObjectNode) g.array("bufferViews").get(0)).put("byteLength", 34);
    store.put(S3Uri.parse("s3://bkt/short.glb"), g.glb());
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("\"s3://bkt/short.glb\"")));
    assertTrue(e.getMessage().contains("accessor 0 reads past the end of buffer view 0 (needs 36 bytes, has 34)"),
        e.getMessage());
  }

  @Test
  void anUnsupportedRequiredGltfExtensionFailsNamingIt() {
    TestGltf g = new TestGltf();
    g.mesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, null, null, new int[] {0, 1, 2}, 0);
    g.array("materials").addObject();
    g.node().put("mesh", 0);
    g.array("extensionsUsed").add("KHR_draco_mesh_compression");
    g.array("extensionsRequired").add("KHR_draco_mesh_compression");
    store.put(S3Uri.parse("s3://bkt/draco.glb"), g.glb());
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("\"s3://bkt/draco.glb\"")));
    assertTrue(e.getMessage().contains("KHR_draco_mesh_compression") && e.getMessage().contains("draco.glb"),
        e.getMessage());
  }

  @Test
  void linesInAGltfFailNamingTheMesh() {
    TestGltf g = new TestGltf();
    g.mesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, null, null, new int[] {0, 1, 2}, 0);
    ((com.fasterxml.jackson.databind.node.ObjectNode) g.root.get("meshes").get(0).get("primitives").get(0)).put("mode", 1);
    g.array("materials").addObject();
    g.node().put("mesh", 0);
    store.put(S3Uri.parse("s3://bkt/lines.glb"), g.glb());
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("\"s3://bkt/lines.glb\"")));
    assertTrue(e.getMessage().contains("mesh 0 primitive 0 draws lines"), e.getMessage());
  }

  @Test
  void anHdrEnvironmentMapLightsTheScene() throws Exception {
    // A 16x8 map, black but for a bright band near the top: the floor must be lit by it.
    int w = 16;
    int h = 8;
    ByteArrayOutputStream hdr = new ByteArrayOutputStream();
    hdr.writeBytes(utf8("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y " + h + " +X " + w + "\n"));
    for (int y = 0; y < h; y++) {
      // Run-length encoded scanlines: each channel one run of w equal bytes.
      hdr.writeBytes(new byte[] {2, 2, 0, (byte) w});
      byte mantissa = (byte) (y == 1 ? 128 : 0);
      byte exponent = (byte) (y == 1 ? 131 : 0);
      for (byte v : new byte[] {mantissa, mantissa, mantissa, exponent}) {
        hdr.write(128 + w);
        hdr.write(v);
      }
    }
    store.put(S3Uri.parse("s3://bkt/env/sky.hdr"), hdr.toByteArray());
    store.put(S3Uri.parse("s3://bkt/env/floor.obj"), utf8(OBJ));
    store.put(S3Uri.parse("s3://bkt/env/m.mtl"), utf8(MTL));
    TileImage lit = render(job("{\"camera\":{\"position\":[0,2,3],\"lookAt\":[0,0,0]},\"assets\":\"s3://bkt/env/\","
        + "\"environment\":{\"file\":\"sky.hdr\"},\"objects\":[{\"type\":\"mesh\",\"file\":\"floor.obj\"}]}"));
    int i = 3 * (8 * 24 + 12);
    assertTrue((lit.pixels()[i] & 0xff) > 20, "floor lit by the map: " + (lit.pixels()[i] & 0xff));
    store.put(S3Uri.parse("s3://bkt/env/sky.hdr"), utf8("#?RADIANCE\nFORMAT=32-bit_rle_xyze\n\n-Y 1 +X 1\n\0\0\0\0"));
    TileFailedException e = assertThrows(TileFailedException.class, () -> render(job("{\"camera\":{\"position\":[0,2,3],"
        + "\"lookAt\":[0,0,0]},\"assets\":\"s3://bkt/env/\",\"environment\":{\"file\":\"sky.hdr\"},"
        + "\"objects\":[{\"type\":\"mesh\",\"file\":\"floor.obj\"}]}")));
    assertTrue(e.getMessage().contains("'sky.hdr'") && e.getMessage().contains("xyze"), e.getMessage());
  }

  @Test
  void aLinear16SceneRendersSixteenBitTiles() throws TileFailedException {
    TileImage t = render(job("{" + CAMERA + ",\"encoding\":\"linear16\",\"materials\":{\"w\":{\"type\":\"diffuse\","
        + "\"color\":[0.5,0.5,0.5]}},\"objects\":[{\"type\":\"sphere\",\"center\":[0,0,0],\"radius\":1,\"material\":\"w\"}]}"));
    assertEquals(16, t.bitDepth());
    assertEquals(24 * 16 * 6, t.pixels().length);
  }
}
