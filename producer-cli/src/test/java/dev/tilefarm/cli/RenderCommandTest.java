package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
  @Test
  void aSceneFolderZipsToTheSameBytesWhateverTheFilesTimes(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("models"));
    Files.writeString(dir.resolve("scene.json"), "{}");
    Files.writeString(dir.resolve("models/a.obj"), "v 0 0 0\n");
    Path zip = dir.resolveSibling(dir.getFileName() + "-a.zip");
    Uploads.zip(Uploads.wholeFolder(dir), zip);
    byte[] first = Files.readAllBytes(zip);
    Files.setLastModifiedTime(dir.resolve("models/a.obj"), FileTime.fromMillis(1_000_000_000_000L));
    Uploads.zip(Uploads.wholeFolder(dir), zip);
    assertArrayEquals(first, Files.readAllBytes(zip), "content-addressed uploads need deterministic archives");
    Files.delete(zip);
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(first))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
      }
    }
    assertTrue(names.contains("models/a.obj") && names.contains("scene.json"), names.toString());
  }

  @Test
  void onlyRelativeFilesNeedTheFolderUploaded() throws Exception {
    assertTrue(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree(
        "{\"objects\":[{\"type\":\"mesh\",\"file\":\"models/a.obj\"}]}")));
    assertTrue(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree(
        "{\"environment\":{\"file\":\"sky.hdr\"},\"objects\":[]}")));
    assertFalse(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree(
        "{\"objects\":[{\"type\":\"gltf\",\"file\":\"s3://bkt/a.glb\"},{\"type\":\"mesh\",\"file\":\"data:x;base64,AA\"}]}")));
    assertFalse(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree("{\"objects\":[{\"type\":\"sphere\"}]}")));
  }

  private static RenderCommand parse(String... args) {
    return (RenderCommand) Main.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
  }

  /** The job the command line makes of {@code {"type":"render"}}, as render sets it before the upload. */
  private static String job(RenderCommand render, boolean external) throws Exception {
    ObjectNode job = (ObjectNode) Json.MAPPER.readTree("{\"type\":\"render\"}");
    render.frames.applyTo(job, render.run.output, external);
    render.render.applyTo(job);
    return job.toString();
  }

  @Test
  void theRenderFlagsSetTheirPartsOfTheJob() throws Exception {
    assertEquals("{\"type\":\"render\",\"frames\":{\"start\":1,\"end\":24,\"step\":2},\"frameOrder\":\"preview\","
        + "\"video\":{\"format\":\"mp4\",\"fps\":30},\"renderer\":\"povray\",\"width\":800,\"height\":600,"
        + "\"tileSize\":64,\"samples\":16,\"seed\":9,\"bitDepth\":16}",
        job(parse("render", "s.pov", "-o", "shot/f-####.png", "--frames", "1-24:2", "--frame-order", "preview",
            "--video", "mp4:30", "--renderer", "povray", "--size", "800X600", "--tile", "64", "--samples", "16",
            "--seed", "9", "--bit-depth", "16"), true));
    assertEquals("{\"type\":\"render\",\"frame\":3}", job(parse("render", "s.json", "-o", "x.png", "--frame", "3"), false));
    assertEquals("{\"type\":\"render\"}", job(parse("render", "s.json", "-o", "x.png"), false), "nothing given, nothing set");
  }

  @Test
  void badRenderFlagsAreRefusedNamingTheFlag() throws Exception {
    String[][] bad = {
        {"--frames", "1-x", "--frames 1-x: expected FIRST-LAST or FIRST-LAST:STEP, e.g. 1-24"},
        {"--video", "mp4:fast", "--video mp4:fast: expected FORMAT or FORMAT:FPS, e.g. mp4:24"},
        {"--size", "800", "--size 800: expected WIDTHxHEIGHT, e.g. 800x600"}};
    for (String[] b : bad) {
      RenderCommand render = parse("render", "s.json", "-o", "f-##.png", b[0], b[1]);
      assertEquals(b[2], assertThrows(Main.UsageException.class, () -> job(render, false)).getMessage());
    }
    RenderCommand both = parse("render", "s.json", "-o", "f-##.png", "--frame", "2", "--frames", "1-4");
    assertEquals("give --frame or --frames, not both",
        assertThrows(Main.UsageException.class, () -> job(both, false)).getMessage());
    RenderCommand unnumbered = parse("render", "s.json", "-o", "x.png", "--frames", "1-4");
    assertEquals("-o x.png: an animation's output needs a run of '#' for the frame number, e.g. shot/frame-####.png",
        assertThrows(Main.UsageException.class, () -> job(unnumbered, false)).getMessage());
    ObjectNode iniAnimation = (ObjectNode) Json.MAPPER.readTree("{\"frames\":{\"start\":1,\"end\":8}}");
    RenderCommand pov = parse("render", "s.ini", "-o", "x.png");
    assertEquals("-o x.png: the INI sets an animation (frames 1 to 8), whose output needs a run of '#' for the frame "
        + "number, e.g. shot/frame-####.png; or render one frame with --frame N", assertThrows(Main.UsageException.class,
            () -> pov.frames.applyTo(iniAnimation, pov.run.output, true)).getMessage());
    ObjectNode oneOfThem = (ObjectNode) Json.MAPPER.readTree("{\"frames\":{\"start\":1,\"end\":8}}");
    RenderCommand frame = parse("render", "s.ini", "-o", "x.png", "--frame", "5");
    frame.frames.applyTo(oneOfThem, frame.run.output, true);
    assertEquals("{\"frame\":5}", oneOfThem.toString(), "--frame picks one frame of the INI's animation");
  }
}
