package dev.tilefarm.worker.render.povray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress from POV-Ray's real output: logs captured from /usr/bin/povray 3.7.0.10 run with the worker's
 * arguments ({@code -D -P +V +WT1 +BS32 +Q9}, a 64x64 region of a 160x120 image): {@code woodbox.pov} without
 * radiosity, and {@code cornell.pov} (radiosity, antialiased), whose pretrace prints the same lines as its render.
 */
class PovRayProgressTest {
  @TempDir
  Path dir;

  /** The captured output split as RenderProcess splits it: at '\n' and at the '\r' POV-Ray rewrites lines with. */
  static List<String> lines(String resource) throws IOException {
    try (InputStream in = PovRayProgressTest.class.getResourceAsStream(resource)) {
      List<String> lines = new ArrayList<>();
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("[\r\n]")) {
        if (!l.isEmpty()) {
          lines.add(l);
        }
      }
      return lines;
    }
  }

  private static List<Integer> feed(PovRayProgress progress, List<String> lines) {
    List<Integer> out = new ArrayList<>();
    for (String line : lines) {
      int p = progress.accept(line);
      if (p >= 0) {
        out.add(p);
      }
    }
    return out;
  }

  @Test
  void aRenderWithoutRadiosityReportsItsBlocks() throws IOException {
    List<String> lines = lines("woodbox-64px.log");
    assertTrue(lines.contains("Rendered 2048 of 4096 pixels (50%)"), "the capture has POV-Ray's progress lines");
    assertEquals(List.of(25, 50, 75, 100), feed(new PovRayProgress(false), lines));
  }

  /**
   * The pretrace counts to 4092 of 4096 and the render starts again at 1024: read naively that is 99% then 25%.
   * With the pretrace expected it is the first half, the render the second.
   */
  @Test
  void aRadiosityPretraceAndTheRenderShareTheTile() throws IOException {
    List<String> lines = lines("cornell-64px-radiosity.log");
    int pretraceEnd = lines.indexOf("Rendered 4092 of 4096 pixels (99%)");
    assertEquals("Rendered 1024 of 4096 pixels (25%)", lines.get(pretraceEnd + 1), "the capture restarts its count");
    assertEquals(List.of(1, 2, 4, 7, 9, 11, 21, 30, 40, 49, 62, 74, 87, 100), feed(new PovRayProgress(true), lines));
  }

  /** A second pass that was not foreseen gets what is left: the tile's progress stalls but never goes back. */
  @Test
  void anUnforeseenSecondPassNeverGoesBack() throws IOException {
    assertEquals(List.of(1, 2, 3, 4, 9, 14, 18, 23, 42, 61, 80, 99, 100),
        feed(new PovRayProgress(false), lines("cornell-64px-radiosity.log")));
  }

  @Test
  void otherLinesAndRepeatsReportNothing() {
    PovRayProgress p = new PovRayProgress(false);
    assertEquals(-1, p.accept("==== [Rendering...] ========================================================"));
    assertEquals(-1, p.accept("Pixels:             4096   Samples:               0   Smpls/Pxl: 0.00"));
    assertEquals(-1, p.accept("Rendered 99999999999999999999 of 1 pixels"), "a scene's #debug text does not throw");
    assertEquals(-1, p.accept("Rendered 10 of 4096 pixels (0%)"));
    assertEquals(50, p.accept("Rendered 2048 of 4096 pixels (50%)"));
    assertEquals(-1, p.accept("Rendered 2048 of 4096 pixels (50%)"));
  }

  @Test
  void radiosityIsLookedForInTheScenesOwnPovAndIncFiles() throws IOException {
    Files.writeString(dir.resolve("scene.pov"), "#include \"parts/light.inc\"\nsphere { 0, 1 }\n");
    Files.createDirectories(dir.resolve("parts"));
    Files.writeString(dir.resolve("parts/light.inc"), "light_source { <4, 4, -4> rgb 1 }\n");
    Files.writeString(dir.resolve("notes.txt"), "try radiosity some day\n");
    assertFalse(PovRayProgress.mentionsRadiosity(dir));
    Files.writeString(dir.resolve("parts/light.inc"), "global_settings { radiosity { count 35 } }\n");
    assertTrue(PovRayProgress.mentionsRadiosity(dir));
    assertFalse(PovRayProgress.mentionsRadiosity(dir.resolve("missing")));
  }
}
