package dev.tilefarm.worker.render.povray;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.render.external.Crop;
import dev.tilefarm.worker.render.external.ExternalRenderer;
import dev.tilefarm.worker.render.external.Program;
import dev.tilefarm.worker.render.external.Region;
import dev.tilefarm.worker.render.external.RenderRequest;
import dev.tilefarm.worker.render.external.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * POV-Ray 3.7 ({@code /usr/bin/povray}) as a tile renderer: one process per tile renders the tile's region
 * ({@code +SC +EC +SR +ER}, 1-based and inclusive) of the full-size image and the tile is cut out of it.
 *
 * <p>The overscan: POV-Ray renders in blocks of {@value #BLOCK} pixels ({@code +BS}) laid on the image from
 * its top-left corner, and antialiases (and jitters) each block on its own, from the block's own samples. So
 * the region is the tile rounded out to whole blocks: every block in it is computed exactly as in a
 * full-frame render, and the tile cut from it equals the full frame's pixels (measured: a region that starts
 * off the block grid differs in up to 1% of its pixels when antialiased, one on the grid in none). One render
 * thread ({@code +WT1}) per process keeps the order of work, and so the image, fixed; the worker runs one
 * process per core instead. Photons, media and radiosity are computed per run from what the region sees, so
 * such scenes differ slightly from a full-frame render (a PSNR well above 40 dB, no seam).
 *
 * <p>Start-up: a process costs about 0.6 s of wall time even for an empty scene (measured on the CI machine,
 * with or without the sandbox: CPU time is 0.06 s, the rest is POV-Ray's front end polling its render
 * thread), so small tiles are slow with this renderer: at 64 pixels a simple scene spends most of each tile
 * starting up; tiles of 128 pixels or more keep it below the render time of most scenes. POV-Ray renders
 * one region per run, so tiles cannot share a process.
 *
 * <p>Progress: {@link PovRayProgress} reads the pixel counts POV-Ray prints a few times a second.
 */
public final class PovRay implements ExternalRenderer<SceneSpec.PovRay> {
  /** POV-Ray's render block side, set explicitly so that the overscan rule above always holds. */
  static final int BLOCK = 32;
  static final Program PROGRAM = new Program("POV-Ray", Path.of("/usr/bin/povray"), "povray");
  static final Path INCLUDES = Path.of("/usr/share/povray-3.7/include");
  static final Path SYSTEM_CONF = Path.of("/etc/povray");
  /** POV-Ray wraps its messages before this column. */
  private static final int WRAP = 78;

  @Override
  public Program program() {
    return PROGRAM;
  }

  @Override
  public TileImage render(SceneSpec.PovRay scene, RenderRequest r) throws TileFailedException, InterruptedException {
    Region region = Region.around(r, 0, BLOCK);
    // In an animation POV-Ray adds the frame number to the output's name: the folder holds the one image.
    Path outDir = r.workDir().resolve("out");
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new UncheckedIOException("creating " + outDir, e);
    }
    writeSettings(r);
    List<String> args = new ArrayList<>(List.of(PROGRAM.path().toString(), "-D", "-P", "+V", "+I" + r.main(),
        "+O" + outDir.resolve("tile.png"), r.job().bitDepth() == 16 ? "+FN16" : "+FN8", "+W" + r.job().width(),
        "+H" + r.job().height(),
        "+SC" + (region.x0() + 1), "+EC" + region.x1(), "+SR" + (region.y0() + 1), "+ER" + region.y1(), "+WT1",
        "+BS" + BLOCK, "+Q" + scene.quality()));
    args.addAll(clockArgs(r.job(), scene, r.frameIndex()));
    scene.declare().forEach((name, value) -> args.add("Declare=" + name + "=" + fmt(value)));
    args.addAll(List.of("+L" + r.main().getParent(), "+L" + r.sceneDir(), "+L" + INCLUDES));
    if (scene.antialias() > 0) {
      args.addAll(List.of("+A" + fmt(scene.antialias()), "+AM1", "+R" + scene.antialiasDepth(),
          scene.jitter() ? "+J" : "-J"));
    } else {
      args.add("-A");
    }
    List<String> env = List.of("HOME", r.workDir().resolve(".home").toString(),
        "POVINI", r.workDir().resolve(".home/povray.ini").toString(), "PATH", "/usr/bin:/bin", "LANG", "C.UTF-8");
    List<String> cmd = Sandbox.command(List.of(r.sceneDir(), INCLUDES, SYSTEM_CONF), r.workDir(), env, args);
    int code = PROGRAM.run(cmd, r, new PovRayProgress(PovRayProgress.mentionsRadiosity(r.sceneDir())));
    String log = r.log().text();
    Path out = image(outDir);
    if (code != 0 || log.contains("Render failed") || out == null) {
      throw PROGRAM.failed(r, code, log, PovRay::reason);
    }
    return Crop.tile(out, r);
  }

  /** The one image POV-Ray wrote into {@code dir}, or null. */
  private static Path image(Path dir) {
    try (var files = Files.list(dir)) {
      List<Path> pngs = files.filter(p -> p.getFileName().toString().endsWith(".png")).toList();
      return pngs.size() == 1 ? pngs.get(0) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The animation options for the frame at {@code frameIndex} of the job, as POV-Ray's own INI options: the
   * scene's frame range ({@code Initial_Frame}, {@code Final_Frame}; by default the job's first and last
   * frame) and clock range, and this frame alone as the subset to render ({@code +SF +EF}). So POV-Ray itself
   * sets {@code clock}, {@code clock_delta}, {@code frame_number}, {@code initial_frame} and the rest as it would
   * rendering the whole animation. A still, or a frame POV-Ray cannot number (it has no negative frames), gets
   * its clock alone ({@code +K}, from the same formula) and {@code clock_delta} 0, as a still in POV-Ray.
   */
  static List<String> clockArgs(JobRequest.Render job, SceneSpec.PovRay scene, int frameIndex) {
    JobRequest.Frames frames = job.frames();
    int[] range = scene.frameRange();
    if (range == null && frames != null && frames.sequence()) {
      range = new int[] {frames.start(), frames.end()};
    }
    if (range == null || frames == null || range[1] <= range[0]) {
      return List.of("+K" + fmt(scene.clockStart()));
    }
    int n = frames.number(frameIndex);
    if (range[0] < 0 || n < range[0] || n > range[1]) {
      double span = range[1] - range[0] + (scene.cyclic() ? 1 : 0);
      return List.of("+K" + fmt(scene.clockStart() + (scene.clockEnd() - scene.clockStart()) * (n - range[0]) / span));
    }
    List<String> args = new ArrayList<>(List.of("+KFI" + range[0], "+KFF" + range[1], "+KI" + fmt(scene.clockStart()),
        "+KF" + fmt(scene.clockEnd()), "+SF" + n, "+EF" + n));
    if (scene.cyclic()) {
      args.add("+KC");
    }
    return args;
  }

  /**
   * A per-tile home with a {@code povray.conf} that permits file I/O only in the work folder and reading only
   * the scene and the standard includes, and an INI naming the include path (so the system's is not used).
   */
  private static void writeSettings(RenderRequest r) {
    Path home = r.workDir().resolve(".home");
    try {
      Files.createDirectories(home.resolve(".povray/3.7"));
      Files.writeString(home.resolve(".povray/3.7/povray.conf"), "[File I/O Security]\nrestricted\n"
          + "[Shellout Security]\nforbidden\n[Permitted Paths]\nread* = " + quote(INCLUDES) + "\nread* = "
          + quote(r.sceneDir()) + "\nread+write* = " + quote(r.workDir()) + "\n");
      Files.writeString(home.resolve("povray.ini"), "Library_Path=" + quote(INCLUDES) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("writing POV-Ray's settings in " + home, e);
    }
  }

  /** The lines of POV-Ray's output that say what went wrong, else its last lines. */
  static String reason(String log) {
    // POV-Ray hard-wraps its messages at 80 columns, even in the middle of a path: join them back first.
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : log.split("\n")) {
      current.append(line);
      if (line.length() < WRAP) {
        lines.add(current.toString());
        current.setLength(0);
      }
    }
    if (current.length() > 0) {
      lines.add(current.toString());
    }
    List<String> errors = new ArrayList<>();
    for (String line : lines) {
      String l = line.strip();
      if (l.contains("Stream to console")) {
        continue;
      }
      if (l.contains("Error") || l.contains("error") || l.startsWith("Fatal") || l.contains("not permitted")) {
        // A message may follow a banner on the same (joined) line: keep it from its "File '" on.
        int file = l.indexOf("File '");
        errors.add(file > 0 ? l.substring(file) : l);
      }
    }
    if (errors.isEmpty()) {
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
    }
    String joined = String.join(" ", errors.subList(0, Math.min(errors.size(), 6)));
    if (joined.contains("Cannot open") || joined.contains("Cannot find file")) {
      joined += " (a scene may read only its own files and POV-Ray's standard includes, and write only its "
          + "tile's work folder)";
    }
    return joined;
  }

  private static String quote(Path p) {
    return "\"" + p + "\"";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.9g", v);
  }
}
