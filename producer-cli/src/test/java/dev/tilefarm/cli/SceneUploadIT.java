package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.store.BlobStore;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tilefarm render scene.pov} through the real embedded broker and S3 server: only the files the scene
 * needs are uploaded (never a large unrelated file beside it), the same-name INI's animation settings reach
 * POV-Ray (clock and clock_delta of the frame), and {@code --whole-folder} sends a large folder by multipart
 * upload.
 */
class SceneUploadIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir, 1);
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  /** A scene folder: the scene, an include in a subfolder, an image map, its INI, and 20 MiB it does not use. */
  private static Path sceneFolder(String name) throws Exception {
    Path scene = Files.createDirectories(dir.resolve(name));
    Files.createDirectories(scene.resolve("parts"));
    Files.createDirectories(scene.resolve("maps"));
    // Flat colours (no light): red = 2 * clock_delta, green = clock; a 2x2 image map on a square in the corner.
    Files.writeString(scene.resolve("scene.pov"), String.join("\n",
        "#version 3.7;",
        "global_settings { assumed_gamma 1.0 }",
        "#include \"parts/colours.inc\"",
        "camera { orthographic location <0, 0, -5> look_at 0 right x * 4 up y * 3 }",
        "plane { z, 0 pigment { Animated } finish { ambient 1 diffuse 0 } }",
        "box { <-2, 1, -1>, <-1.5, 1.5, -0.1> pigment { image_map { png \"maps/dots.png\" } scale 0.5 }",
        "  finish { ambient 1 diffuse 0 } }",
        ""));
    Files.writeString(scene.resolve("parts/colours.inc"),
        "#declare Animated = pigment { rgb <2 * clock_delta, clock, 0> };\n");
    BufferedImage dots = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(dots, "png", scene.resolve("maps/dots.png").toFile());
    Files.writeString(scene.resolve("scene.ini"), String.join("\n",
        "; POV-Ray's own settings: 3 frames, clock 0 to 1, so clock_delta is 0.5",
        "Width=96", "Height=64", "Antialias=Off",
        "Initial_Frame=1", "Final_Frame=3", "Initial_Clock=0", "Final_Clock=1",
        "Output_File_Type=N", ""));
    byte[] noise = new byte[20 << 20];
    new Random(7).nextBytes(noise);
    Files.write(scene.resolve("unrelated-footage.bin"), noise);
    return scene;
  }

  @Test
  void aPovSceneUploadsOnlyItsOwnFilesAndHonoursItsIni() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/povray")), "POV-Ray is not installed");
    Path scene = sceneFolder("only-needed");
    Path out = dir.resolve("frame2.png");
    Set<String> before = sceneObjects();
    Cli r = cli("render", scene.resolve("scene.pov").toString(), "-o", out.toString(), "--frame", "2", "--tile", "64");
    assertEquals(0, r.code(), r.stderr());
    assertTrue(r.stderr().contains("scene.ini"), "the INI beside the scene is announced: " + r.stderr());
    assertTrue(r.stderr().contains("scene: 3 files"), "what is uploaded is said: " + r.stderr());
    Set<String> added = sceneObjects();
    added.removeAll(before);
    assertEquals(1, added.size(), added.toString());
    String key = added.iterator().next();
    BlobStore blobs = farm.farm.blobs();
    byte[] archive = blobs.get(blobs.uri(key));
    assertTrue(archive.length < 64 << 10, "the upload is " + archive.length + " bytes: the 20 MiB file went along");
    assertEquals(Set.of("scene.pov", "parts/colours.inc", "maps/dots.png"), entries(archive));
    // Frame 2 of 1..3 with the clock from 0 to 1: clock 0.5 and clock_delta 0.5 (0 before: red would be 0).
    BufferedImage image = ImageIO.read(out.toFile());
    assertEquals(96, image.getWidth());
    int rgb = image.getRGB(70, 50);
    int red = rgb >> 16 & 0xff;
    int green = rgb >> 8 & 0xff;
    assertTrue(red > 245, "red " + red + ": clock_delta should be 0.5");
    assertTrue(green > 170 && green < 200, "green " + green + ": clock 0.5 is sRGB 188");
  }

  @Test
  void theWholeFolderOnRequestGoesUpInParts() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/povray")), "POV-Ray is not installed");
    Path scene = sceneFolder("whole");
    Set<String> before = sceneObjects();
    Cli r = cli("render", scene.resolve("scene.pov").toString(), "-o", dir.resolve("whole.png").toString(),
        "--frame", "1", "--whole-folder");
    assertEquals(0, r.code(), r.stderr());
    Set<String> added = sceneObjects();
    added.removeAll(before);
    assertEquals(1, added.size(), added.toString());
    byte[] archive = farm.farm.blobs().get(farm.farm.blobs().uri(added.iterator().next()));
    assertTrue(archive.length > 20 << 20, "the whole folder is " + archive.length + " bytes");
    assertTrue(entries(archive).contains("unrelated-footage.bin"));
  }

  @Test
  void aMissingIncludeStopsBeforeAnythingIsUploaded() throws Exception {
    Path scene = Files.createDirectories(dir.resolve("missing"));
    Files.writeString(scene.resolve("scene.pov"), "#include \"parts/gone.inc\"\nsphere { 0, 1 }\n");
    Set<String> before = sceneObjects();
    Cli r = cli("render", scene.resolve("scene.pov").toString(), "-o", dir.resolve("never.png").toString());
    assertEquals(2, r.code(), r.stderr());
    assertTrue(r.stderr().contains("parts/gone.inc"), r.stderr());
    assertFalse(r.stderr().contains("Exception"), r.stderr());
    assertEquals(before, sceneObjects());
  }

  @Test
  void submitUploadsAProcessJobsLocalInputRelativeToItsJobFile() throws Exception {
    Path jobs = Files.createDirectories(dir.resolve("jobs"));
    Files.createDirectories(dir.resolve("images"));
    BufferedImage photo = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    photo.setRGB(5, 5, 0xff8040);
    ImageIO.write(photo, "png", dir.resolve("images/photo.png").toFile());
    Files.writeString(jobs.resolve("gray.json"),
        "{\"type\": \"process\", \"input\": \"../images/photo.png\", \"ops\": [{\"op\": \"grayscale\"}]}");
    Cli r = cli("submit", jobs.resolve("gray.json").toString(), "--wait");
    assertEquals(0, r.code(), r.stderr());
    assertTrue(r.stderr().contains("uploading photo.png"), r.stderr());
    Files.writeString(jobs.resolve("gone.json"),
        "{\"type\": \"process\", \"input\": \"../images/gone.png\", \"ops\": [{\"op\": \"grayscale\"}]}");
    r = cli("submit", jobs.resolve("gone.json").toString(), "--wait");
    assertEquals(2, r.code(), r.stderr());
    assertTrue(r.stderr().contains("gone.png") && r.stderr().contains("gone.json"), r.stderr());
  }

  private static Set<String> sceneObjects() {
    Set<String> keys = new TreeSet<>();
    farm.farm.blobs().list(farm.farm.settings().bucket(), "scenes/").forEach(l -> keys.add(l.uri().key()));
    return keys;
  }

  private static Set<String> entries(byte[] zip) throws Exception {
    Set<String> names = new TreeSet<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
      }
    }
    return names;
  }

  /** Runs the CLI against the test farm (as a client of its broker and S3 server). */
  private static Cli cli(String... args) throws Exception {
    return Cli.onFarm(farm, dir, Map.of(), e -> { }, args);
  }
}
