package dev.tilefarm.worker.render.blender;

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
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Blender ({@code /usr/bin/blender}, Cycles on the CPU) as a tile renderer: one background process per tile
 * opens the {@code .blend} file with auto-run of its scripts disabled ({@code --disable-autoexec}, and
 * {@code --factory-startup} so no user add-on runs), and a driver script of ours ({@code tile.py}) sets the
 * frame, the samples, a fixed seed and a render border around the tile, renders, and writes the frame.
 *
 * <p>The border is the tile plus {@value #OVERSCAN} pixels on each side (clamped to the frame), cropped off
 * afterwards: Cycles keys each sample on the pixel and the seed and samples its pixel filter by jittering
 * rays, so with adaptive sampling, denoising, dithering and compositing turned off (they look at
 * neighbouring pixels) the tile equals the same pixels of a full-frame render; the margin keeps that true of
 * the tile's edge pixels whatever Blender's border rounding does.
 *
 * <p>Start-up: about 0.8-1.2 s of wall time per process (measured on the CI machine: a 16x16 tile of the
 * test scene at 8 samples, sandbox included), most of it loading Blender and the file, so Blender tiles
 * should be large: 128 pixels and up.
 *
 * <p>Progress: {@link BlenderProgress} reads Cycles' sample counts, which it prints only every 30 s or so in
 * background mode.
 */
public final class Blender implements ExternalRenderer<SceneSpec.Blender> {
  static final int OVERSCAN = 8;
  static final Program PROGRAM = new Program("Blender", Path.of("/usr/bin/blender"), "blender");
  private static final String DRIVER = readDriver();

  @Override
  public Program program() {
    return PROGRAM;
  }

  @Override
  public TileImage render(SceneSpec.Blender scene, RenderRequest r) throws TileFailedException, InterruptedException {
    Path out = r.workDir().resolve("frame.png");
    Path driver = r.workDir().resolve("tile.py");
    Path settings = r.workDir().resolve("tile.json");
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("width", r.job().width());
    s.put("height", r.job().height());
    Region region = Region.around(r, OVERSCAN, 1);
    s.put("x0", region.x0());
    s.put("y0", region.y0());
    s.put("x1", region.x1());
    s.put("y1", region.y1());
    s.put("out", out.toString());
    s.put("samples", r.job().samples());
    s.put("seed", r.job().seed());
    s.put("frame", r.frame());
    s.put("scene", scene.scene());
    s.put("camera", scene.camera());
    boolean floats = r.job().bitDepth() == JobRequest.Render.FLOAT;
    Path raw = r.workDir().resolve("frame.f32");
    s.put("depth", floats ? "float" : r.job().bitDepth() == 16 ? "16" : "8");
    s.put("raw", raw.toString());
    try {
      Files.writeString(driver, DRIVER);
      Files.write(settings, dev.tilefarm.schemas.Json.MAPPER.writeValueAsBytes(s));
    } catch (IOException e) {
      throw new UncheckedIOException("writing Blender's driver for " + r.label(), e);
    }
    List<String> args = List.of(PROGRAM.path().toString(), "-b", "--factory-startup", "--disable-autoexec",
        r.main().toString(), "--python", driver.toString(), "--", settings.toString());
    List<String> env = List.of("HOME", r.workDir().toString(), "PATH", "/usr/bin:/bin", "LANG", "C.UTF-8",
        "TMPDIR", r.workDir().toString());
    // Debian links some of Blender's libraries (BLAS, LAPACK) through /etc/alternatives; fonts are configured
    // in /etc/fonts. Neither holds anything of the machine's but those links and settings.
    List<String> cmd = Sandbox.command(List.of(r.sceneDir(), Path.of("/etc/alternatives"), Path.of("/etc/fonts"),
        Path.of("/etc/ld.so.cache")), r.workDir(), env, args);
    int code = PROGRAM.run(cmd, r, new BlenderProgress());
    if (code != 0 || !Files.exists(floats ? raw : out)) {
      throw PROGRAM.failed(r, code, r.log().text(), Blender::reason);
    }
    return floats ? Crop.floatTile(raw, r) : Crop.tile(out, r);
  }

  static String reason(String log) {
    StringBuilder b = new StringBuilder();
    for (String line : log.split("\n")) {
      String l = line.strip();
      if (l.startsWith("tilefarm:") || l.contains("Error") || l.contains("error:") || l.startsWith("Warning: ")) {
        b.append(b.length() == 0 ? "" : " | ").append(l);
      }
    }
    if (b.length() == 0) {
      String[] lines = log.strip().split("\n");
      return String.join(" | ", List.of(lines).subList(Math.max(0, lines.length - 3), lines.length));
    }
    return b.length() > 2000 ? b.substring(0, 2000) + "..." : b.toString();
  }

  private static String readDriver() {
    try (InputStream in = Blender.class.getResourceAsStream("tile.py")) {
      if (in == null) {
        throw new IllegalStateException("Blender's driver script tile.py is missing from the worker");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
