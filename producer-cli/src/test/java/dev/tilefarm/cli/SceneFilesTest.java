package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SceneFilesTest {
  private static Path write(Path dir, String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  private static Set<String> found(SceneFiles s) {
    Set<String> names = new TreeSet<>();
    s.files().forEach(f -> names.add(s.root().relativize(f).toString().replace('\\', '/')));
    return names;
  }

  @Test
  void aGltfTakesItsBuffersAndImagesAndNothingElseFromItsFolder(@TempDir Path dir) throws Exception {
    Path model = write(dir, "model.gltf", """
        {"asset": {"version": "2.0"},
         "buffers": [{"uri": "bin/model%20data.bin", "byteLength": 4}, {"uri": "data:application/octet-stream;base64,AAAA"}],
         "images": [{"uri": "textures/wood.png"}, {"bufferView": 0, "mimeType": "image/png"}]}""");
    write(dir, "bin/model data.bin", "abcd");
    write(dir, "textures/wood.png", "png");
    write(dir, "textures/unused.png", "png");
    write(dir, "huge-unrelated.mov", "x".repeat(10_000));
    assertEquals(Set.of("model.gltf", "bin/model data.bin", "textures/wood.png"), found(SceneFiles.of(model)));
  }

  @Test
  void aGlbIsReadFromItsJsonChunk(@TempDir Path dir) throws Exception {
    byte[] json = "{\"asset\":{\"version\":\"2.0\"},\"images\":[{\"uri\":\"tex.png\"}]}  ".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(20 + json.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x46546C67).putInt(2).putInt(20 + json.length).putInt(json.length).putInt(0x4E4F534A).put(json);
    Path glb = dir.resolve("m.glb");
    Files.write(glb, b.array());
    write(dir, "tex.png", "png");
    write(dir, "other.png", "png");
    assertEquals(Set.of("m.glb", "tex.png"), found(SceneFiles.of(glb)));
  }

  @Test
  void anObjTakesItsMtlFilesAndTheirMapsWithOptions(@TempDir Path dir) throws Exception {
    Path obj = write(dir, "gem.obj", "# a model\nmtllib gem.mtl extra.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
    write(dir, "gem.mtl", """
        newmtl ruby
        Kd 1 0 0
        map_Kd -s 2 2 1 -o 0.5 0 0 maps/ruby.png
        map_Bump -bm 0.4 maps/bump.png
        bump maps/bump2.png
        norm maps/normal.png
        map_Ks -clamp on maps/spec.png
        """);
    write(dir, "extra.mtl", "newmtl stone\nKd 0.5 0.5 0.5\n");
    for (String m : List.of("ruby", "bump", "bump2", "normal", "spec", "unused")) {
      write(dir, "maps/" + m + ".png", m);
    }
    assertEquals(Set.of("gem.obj", "gem.mtl", "extra.mtl", "maps/ruby.png", "maps/bump.png", "maps/bump2.png",
        "maps/normal.png", "maps/spec.png"), found(SceneFiles.of(obj)));
  }

  @Test
  void aMissingMapIsNamedWithTheFileThatWantsIt(@TempDir Path dir) throws Exception {
    Path obj = write(dir, "a.obj", "mtllib a.mtl\n");
    write(dir, "a.mtl", "newmtl m\nmap_Kd gone.png\n");
    Main.UsageException e = assertThrows(Main.UsageException.class, () -> SceneFiles.of(obj));
    assertTrue(e.getMessage().contains("gone.png") && e.getMessage().contains("a.mtl"), e.getMessage());
  }

  @Test
  void aReferenceOutOfTheScenesFolderIsRefused(@TempDir Path dir) throws Exception {
    Path model = write(dir, "scene/model.gltf", "{\"images\": [{\"uri\": \"../shared/t.png\"}]}");
    write(dir, "shared/t.png", "png");
    Main.UsageException e = assertThrows(Main.UsageException.class, () -> SceneFiles.of(model));
    assertTrue(e.getMessage().contains("outside the scene's folder"), e.getMessage());
  }

  @Test
  void aPovSceneTakesItsNestedIncludesAndImageMapsButNotCommentsOrStandardIncludes(@TempDir Path dir) throws Exception {
    Path std = Files.createDirectories(dir.resolve("std"));
    write(std, "colors.inc", "// standard\n");
    Path scenes = Files.createDirectories(dir.resolve("s"));
    Path pov = write(scenes, "scene.pov", """
        #include "colors.inc"
        #include "parts/table.inc"
        // #include "commented.inc"
        /* a block /* nested */ #include "blocked.inc" */
        plane { y, 0 pigment { image_map { png "maps/floor.png" } } }
        #declare Data = "data/points.txt";
        """);
    write(scenes, "parts/table.inc", "#include \"parts/legs.inc\"\nheight_field { tga \"maps/hf.tga\" }\n");
    write(scenes, "parts/legs.inc", "text { ttf \"fonts/a.ttf\" \"hi\" 1, 0 }\n");
    write(scenes, "maps/floor.png", "png");
    write(scenes, "maps/hf.tga", "tga");
    write(scenes, "fonts/a.ttf", "ttf");
    write(scenes, "data/points.txt", "1,2");
    write(scenes, "commented.inc", "");
    write(scenes, "blocked.inc", "");
    write(scenes, "big-unrelated.iso", "x".repeat(10_000));
    assertEquals(Set.of("scene.pov", "parts/table.inc", "parts/legs.inc", "maps/floor.png", "maps/hf.tga",
        "fonts/a.ttf", "data/points.txt"), found(SceneFiles.of(pov, std)));
  }

  @Test
  void aPovIncludeFoundNowhereIsAnError(@TempDir Path dir) throws Exception {
    Path std = Files.createDirectories(dir.resolve("std"));
    Path pov = write(dir, "s/scene.pov", "#include \"a.inc\"\n");
    write(dir, "s/a.inc", "#include \"missing.inc\"\n");
    Main.UsageException e = assertThrows(Main.UsageException.class, () -> SceneFiles.of(pov, std));
    assertTrue(e.getMessage().contains("missing.inc") && e.getMessage().contains("a.inc"), e.getMessage());
    Path map = write(dir, "t/scene.pov", "sphere { 0, 1 pigment { image_map { jpeg \"nope.jpg\" } } }\n");
    e = assertThrows(Main.UsageException.class, () -> SceneFiles.of(map, std));
    assertTrue(e.getMessage().contains("nope.jpg"), e.getMessage());
  }

  @Test
  void withoutPovRayHereAnUnknownIncludeIsTakenForAStandardOneWithAWarning(@TempDir Path dir) throws Exception {
    Path pov = write(dir, "scene.pov", "#include \"textures.inc\"\n");
    SceneFiles s = SceneFiles.of(pov, dir.resolve("no-povray-here"));
    assertEquals(Set.of("scene.pov"), found(s));
    assertEquals(1, s.warnings().size(), s.warnings().toString());
  }

  @Test
  void aBuiltinSceneTakesItsFilesAndWhatItsModelsNeed(@TempDir Path dir) throws Exception {
    Path scene = write(dir, "scene.json", """
        {"environment": {"file": "sky.hdr"}, "objects": [{"type": "mesh", "file": "models/a.obj"},
         {"type": "gltf", "file": "s3://bucket/b.glb"}]}""");
    write(dir, "sky.hdr", "hdr");
    write(dir, "models/a.obj", "mtllib a.mtl\n");
    write(dir, "models/a.mtl", "map_Kd t.png\n");
    write(dir, "models/t.png", "png");
    write(dir, "models/unused.obj", "");
    assertEquals(Set.of("scene.json", "sky.hdr", "models/a.obj", "models/a.mtl", "models/t.png"),
        found(SceneFiles.of(scene)));
  }

  @Test
  void mapFileNamesFollowTheirOptions() {
    assertEquals("wood.png", SceneFiles.mapFileName("map_Kd -s 1 1 1 -o 0 0 wood.png".split(" ")));
    assertEquals("n.png", SceneFiles.mapFileName("bump -bm 0.5 n.png".split(" ")));
    assertEquals("a b.png", SceneFiles.mapFileName("map_Kd a b.png".split(" ")));
    assertEquals("my data.bin", SceneFiles.percentDecode("my%20data.bin"));
    assertEquals("a+b.png", SceneFiles.percentDecode("a+b.png"));
  }

  @Test
  void blenderListsTheFilesABlendLinks(@TempDir Path dir) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(SceneFiles.BLENDER), "Blender is not installed");
    write(dir, "tex/wood.png", "");
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB),
        "png", dir.resolve("tex/wood.png").toFile());
    write(dir, "unrelated.bin", "x".repeat(10_000));
    Path blend = dir.resolve("shot.blend");
    Process p = new ProcessBuilder(SceneFiles.BLENDER.toString(), "-b", "--factory-startup", "--python-expr",
        "import bpy\nimg = bpy.data.images.load('" + dir.resolve("tex/wood.png") + "')\nimg.use_fake_user = True\n"
        + "bpy.ops.wm.save_as_mainfile(filepath='" + blend + "', relative_remap=True)\n")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertEquals(0, p.waitFor());
    SceneFiles s = SceneFiles.blend(blend, SceneFiles.BLENDER);
    assertEquals(Set.of("shot.blend", "tex/wood.png"), found(s));
  }
}
