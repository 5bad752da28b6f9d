package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.render.external.TileLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * POV-Ray tiles against full-frame renders of scenes from the povray-examples package, and the sandbox
 * against scenes that reach outside their folder. Skipped where POV-Ray, its examples or bubblewrap are missing.
 */
class PovRayTest {
  static final Path EXAMPLES = Path.of("/usr/share/doc/povray/examples");
  private final ExternalRenderTesting t = new ExternalRenderTesting();

  @BeforeEach
  void needsPovRay() {
    String why = t.renderer.unavailable("povray");
    Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
  }

  private static byte[] example(String path) throws Exception {
    Path p = EXAMPLES.resolve(path);
    Assumptions.assumeTrue(Files.exists(p), () -> "skipped: " + p + " is missing (Debian package povray-examples)");
    return Files.readAllBytes(p);
  }

  private static JobRequest.Render job(String id, S3Uri scene, String main) {
    return new JobRequest.Render(id, 160, 120, Renderer.POVRAY,
        new SceneSpec.PovRay(scene, main, 0.3, 3, false, 9, 0, 1), 1,
        0, 64, null);
  }

  @Test
  void tilesOfASceneWithoutPhotonsOrMediaEqualTheFullFrame() throws Exception {
    JobRequest.Render job = job("wood", t.put("scenes/woodbox.pov", example("advanced/woodbox.pov")), null);
    TileImage full = t.full(job);
    // 64 lies on POV-Ray's 32-pixel block grid, 50 does not: both must give the full frame's bytes.
    assertArrayEquals(full.pixels(), t.tiled(job, 64).pixels(), "64-pixel tiles differ from the full frame");
    assertArrayEquals(full.pixels(), t.tiled(job, 50).pixels(), "50-pixel tiles differ from the full frame");
  }

  @Test
  void tilesOfASceneWithPhotonsAreCloseToTheFullFrameWithoutSeams() throws Exception {
    JobRequest.Render job = job("photons", t.put("scenes/glass.pov", example("lights/phot_met_glass.pov")), null);
    TileImage full = t.full(job);
    TileImage tiled = t.tiled(job, 64);
    double psnr = ExternalRenderTesting.psnr(full, tiled);
    assertTrue(psnr >= 40, "PSNR " + psnr + " dB is below 40");
    ExternalRenderTesting.assertNoSeam(full, tiled, 64, 2.0);
  }

  @Test
  void anArchiveSceneReadsItsOwnIncludeFilesAndItsWorkFolder() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("scene.pov", ExternalRenderTesting.utf8("#version 3.7;\n#include \"parts/colour.inc\"\n"
        + "#fopen Out \"notes.txt\" write\n#write (Out, \"hello\")\n#fclose Out\n"
        + "camera { location <0, 0, -4> look_at 0 }\nlight_source { <4, 4, -4> rgb 1 }\n"
        + "sphere { 0, 1 pigment { color Mine } }\n"));
    files.put("parts/colour.inc", ExternalRenderTesting.utf8("#declare Mine = rgb <0.2, 0.6, 0.9>;\n"));
    JobRequest.Render job = job("archive", t.put("scenes/a.zip", ExternalRenderTesting.zip(files)), "scene.pov");
    TileImage centre = t.renderer.render(job, new TileRect(0, 70, 50, 20, 20), 160, 120, RenderContext.none());
    int blue = centre.pixels()[(10 * 20 + 10) * 3 + 2] & 0xff;
    assertTrue(blue > 100, "the included colour was not used (blue " + blue + ")");
  }

  @Test
  void aSceneThatIncludesEtcPasswdFailsNamingTheFile() throws Exception {
    TileFailedException e = fails("inc", "#include \"/etc/passwd\"\n");
    assertTrue(e.getMessage().contains("/etc/passwd"), e.getMessage());
  }

  @Test
  void aSceneThatOpensEtcPasswdFailsNamingTheFile() throws Exception {
    TileFailedException e = fails("fopen", "#fopen F \"/etc/passwd\" read\n#read (F, S)\n");
    assertTrue(e.getMessage().contains("/etc/passwd"), e.getMessage());
  }

  @Test
  void aSceneThatWritesOutsideItsFolderFailsAndWritesNothing() throws Exception {
    Path target = Files.createTempDirectory("tilefarm-outside").resolve("escaped.txt");
    TileFailedException e = fails("write", "#fopen F \"" + target + "\" write\n#write (F, \"x\")\n#fclose F\n");
    assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
    assertFalse(Files.exists(target), "the scene wrote " + target);
  }

  @Test
  void aTileThatRunsPastItsTimeLimitIsStopped() throws Exception {
    JobRequest.Render job = job("slow", t.put("scenes/slow.pov", ExternalRenderTesting.utf8(
        "#declare I = 0;\n#while (true)\n#declare I = I + 1;\n#end\n")), null);
    TileLog log = new TileLog();
    long start = System.nanoTime();
    TileFailedException e = assertThrows(TileFailedException.class, () -> t.renderer.render(job,
        new TileRect(0, 0, 0, 32, 32), 160, 120, new RenderContext(null, 0, System.currentTimeMillis() + 1500, log,
            p -> { })));
    assertTrue(e.getMessage().contains("time limit"), e.getMessage());
    assertTrue(log.text().contains("time limit"), log.text());
    // Not a timing assertion: only that the endless scene did not run on (and was stopped, not waited for).
    assertTrue(System.nanoTime() - start < 120_000_000_000L);
    assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().command().orElse("").endsWith("povray")),
        "a povray process is still running");
  }

  @Test
  void progressAndTheLogComeFromPovRaysOutput() throws Exception {
    JobRequest.Render job = job("log", t.put("scenes/woodbox.pov", example("advanced/woodbox.pov")), null);
    TileLog log = new TileLog();
    List<Integer> progress = new ArrayList<>();
    t.renderer.render(job, new TileRect(0, 0, 0, 64, 64), 160, 120, new RenderContext(null, 0, 0, log,
        p -> progress.add(p)));
    assertTrue(log.text().contains("POV-Ray finished"), log.text());
    assertFalse(progress.isEmpty(), "no progress reported");
    assertTrue(progress.get(progress.size() - 1) == 100, "last progress " + progress);
  }

  /** What the scene sees of its animation, printed by POV-Ray into the tile's log. */
  private double[] animationSeen(String id, JobRequest.Frames frames, int[] frameRange, int frameIndex) throws Exception {
    S3Uri scene = t.put("scenes/" + id + ".pov", ExternalRenderTesting.utf8("#version 3.7;\n"
        + "#debug concat(\"SEEN clock=\", str(clock, 0, 6), \" delta=\", str(clock_delta, 0, 6), \" frame=\","
        + " str(frame_number, 0, 0), \" speed=\", str(Speed, 0, 2), \"\\n\")\n"
        + "camera { location <0, 0, -4> look_at 0 }\nsphere { 0, 1 pigment { rgb 1 } }\n"));
    JobRequest.Render job = new JobRequest.Render(id, 64, 64, Renderer.POVRAY,
        new SceneSpec.PovRay(scene, null, 0, 1, false,
        9, 0, 2, frameRange, false, Map.of("Speed", 1.5)), 1, 0, 64, null, frames);
    TileLog log = new TileLog();
    t.renderer.render(job, new TileRect(0, 0, 0, 32, 32), 64, 64, new RenderContext(frames.number(frameIndex),
        frameIndex, 0, log, p -> { }));
    String text = log.text();
    int at = text.indexOf("SEEN ");
    assertTrue(at >= 0, text);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "SEEN clock=(\\S+) delta=(\\S+) frame=(\\S+) speed=(\\S+)").matcher(text.substring(at));
    assertTrue(m.find(), text);
    return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))};
  }

  @Test
  void everyFrameOfAnAnimationSeesPovRaysClockAndClockDelta() throws Exception {
    // Frames 1..5, clock 0..2: clock_delta = (2 - 0) / (5 - 1) = 0.5 in every frame, frame 3 at clock 1.
    assertArrayEquals(new double[] {1, 0.5, 3, 1.5},
        animationSeen("anim", new JobRequest.Frames(1, 5, 1, true), null, 2), 1e-5);
    // A subset (frames 10..20) of an animation of frames 1..30: frame 12 at clock 2 * 11/29, delta 2/29.
    assertArrayEquals(new double[] {2.0 * 11 / 29, 2.0 / 29, 12, 1.5},
        animationSeen("subset", new JobRequest.Frames(10, 20, 1, true), new int[] {1, 30}, 2), 1e-5);
    // One frame of that animation, as a still (--frame 12).
    assertArrayEquals(new double[] {2.0 * 11 / 29, 2.0 / 29, 12, 1.5},
        animationSeen("still", new JobRequest.Frames(12, 12, 1, false), new int[] {1, 30}, 0), 1e-5);
  }

  /** Reflective spheres under two soft area lights: a few seconds for a 160x120 tile on one thread. */
  static final String SLOW_SCENE = String.join("\n",
      "#version 3.7;",
      "camera { location <0, 2, -6> look_at <0, 0.5, 0> }",
      "light_source { <4, 6, -4> rgb 0.6 area_light <2, 0, 0>, <0, 0, 2>, 10, 10 jitter }",
      "light_source { <-4, 6, -4> rgb 0.4 area_light <2, 0, 0>, <0, 0, 2>, 10, 10 jitter }",
      "#declare I = 0;",
      "#while (I < 40)",
      "  sphere { <mod(I, 8) - 3.5, 0.4 + div(I, 8) * 0.5, div(I, 8)>, 0.4",
      "    pigment { rgb <0.8, 0.5, 0.3> } finish { reflection 0.5 phong 1 } }",
      "  #declare I = I + 1;",
      "#end",
      "plane { y, 0 pigment { checker rgb 1 rgb 0.2 } finish { reflection 0.3 } }",
      "");

  /**
   * A tile of several seconds tells its progress while it renders, rising, not all at its end: POV-Ray prints
   * its pixel count a few times a second, and each rise reaches the callback as it is printed.
   */
  @Test
  void aMultiSecondTileReportsRisingProgressWhileItRenders() throws Exception {
    JobRequest.Render job = job("slow", t.put("scenes/slow.pov", ExternalRenderTesting.utf8(SLOW_SCENE)), null);
    List<Integer> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Long> times = new java.util.concurrent.CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    t.renderer.render(job, new TileRect(0, 0, 0, 160, 120), 160, 120, new RenderContext(null, 0, 0, new TileLog(),
        p -> {
          progress.add(p);
          times.add(System.nanoTime());
        }));
    long took = System.nanoTime() - start;
    assertTrue(progress.size() >= 5, "progress " + progress);
    for (int i = 1; i < progress.size(); i++) {
      assertTrue(progress.get(i) > progress.get(i - 1), "progress went back: " + progress);
    }
    assertEquals(100, progress.get(progress.size() - 1), "progress " + progress);
    String when = "reports at " + times.stream().map(n -> (n - start) / 1_000_000 + " ms").toList() + " of a "
        + took / 1_000_000 + " ms tile";
    assertTrue(times.get(0) - start < took / 2, "the first report came late: " + when);
    assertTrue(times.get(times.size() - 1) - times.get(0) > took / 3, "the reports came all at once: " + when);
  }

  private TileFailedException fails(String id, String scene) throws Exception {
    JobRequest.Render job = job(id, t.put("scenes/" + id + ".pov", ExternalRenderTesting.utf8(scene
        + "camera { location <0, 0, -4> look_at 0 }\nsphere { 0, 1 pigment { rgb 1 } }\n")), null);
    return assertThrows(TileFailedException.class, () -> t.renderer.render(job, new TileRect(0, 0, 0, 32, 32), 160, 120,
        RenderContext.none()));
  }
}
