package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.testing.Bombs;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.TileLimits;
import dev.tilefarm.worker.render.external.TileLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a tile may use and read: runaway and memory-hungry POV-Ray scenes (real POV-Ray, small limits), images
 * that declare more pixels than they may, files outside the readable buckets, archives that cannot be
 * unpacked. Each fails the tile (a {@link TileFailedException}: permanent, the job FAILS) naming the limit.
 */
class RenderLimitsTest {
  private final Map<S3Uri, byte[]> store = new HashMap<>();

  private TileRenderer renderer(TileLimits limits) {
    return new TileRenderer(2, Long.MAX_VALUE, uri -> {
      byte[] b = store.get(uri);
      if (b == null) {
        throw new BlobNotFoundException(uri, null);
      }
      return b;
    }, limits);
  }

  private static TileLimits limits(long cpuSeconds, long memoryMb, Duration time) {
    return new TileLimits(cpuSeconds, memoryMb << 20, time, TileLimits.DEFAULT_MAX_PIXELS,
        TileLimits.DEFAULT_MAX_TEXTURE_PIXELS, List.of());
  }

  private S3Uri put(String uri, String text) {
    return put(uri, text.getBytes(StandardCharsets.UTF_8));
  }

  private S3Uri put(String uri, byte[] bytes) {
    S3Uri u = S3Uri.parse(uri);
    store.put(u, bytes);
    return u;
  }

  private static JobRequest.Render povray(String id, S3Uri scene) {
    return new JobRequest.Render(id, 64, 64, Renderer.POVRAY,
        new SceneSpec.PovRay(scene, null, 0, 1, false, 9, 0, 1), 1, 0,
        64, null);
  }

  private static JobRequest.Render builtin(String sceneJson) {
    return (JobRequest.Render) JobCodec.decode(JobCodec.parse(("{\"id\":\"b\",\"type\":\"render\",\"renderer\":\"builtin\","
        + "\"width\":24,\"height\":16,\"samples\":1,\"scene\":" + sceneJson + "}").getBytes(StandardCharsets.UTF_8)), "b");
  }

  private static void needsPovRay(TileRenderer r) {
    String why = r.unavailable("povray");
    Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
  }

  private static TileFailedException failsWithoutDeadline(TileRenderer r, JobRequest.Render job, TileLog log) {
    return assertThrows(TileFailedException.class, () -> r.render(job, new TileRect(0, 0, 0, 32, 32), job.width(),
        job.height(), new RenderContext(null, 0, 0, log, p -> { })));
  }

  private static void noPovRayLeft() {
    assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().command().orElse("").endsWith("povray")),
        "a povray process is still running");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anEndlessSceneFailsAtTheCpuTimeLimitNamingIt() {
    TileRenderer r = renderer(limits(2, 4096, Duration.ofMinutes(10)));
    needsPovRay(r);
    TileLog log = new TileLog();
    TileFailedException e = failsWithoutDeadline(r, povray("spin", put("s3://bkt/spin.pov", "#while (1) #end\n")), log);
    assertEquals("tile 0 of job spin: POV-Ray exceeded the CPU-time limit of 2 s (worker.tile-cpu-seconds)",
        e.getMessage());
    assertTrue(log.text().contains("CPU-time limit"), log.text());
    noPovRayLeft();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aMemoryBombFailsAtTheMemoryLimitNamingIt() {
    TileRenderer r = renderer(limits(30, 256, Duration.ofMinutes(10)));
    needsPovRay(r);
    // 100 million strings: gigabytes if nothing stops it.
    S3Uri scene = put("s3://bkt/hog.pov", "#declare A = array[100000000];\n#declare I = 0;\n"
        + "#while (I < 100000000) #declare A[I] = str(I, 0, 0); #declare I = I + 1; #end\nsphere { 0, 1 }\n");
    TileFailedException e = failsWithoutDeadline(r, povray("hog", scene), new TileLog());
    assertEquals("tile 0 of job hog: POV-Ray exceeded the memory limit of 256 MiB (worker.tile-memory-mb)",
        e.getMessage());
    noPovRayLeft();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aJobWithoutATimeLimitIsStoppedAtTheDefaultTileTime() {
    TileRenderer r = renderer(limits(3600, 4096, Duration.ofSeconds(3)));
    needsPovRay(r);
    // Its CPU-time limit is an hour away: only the wall time can stop it.
    S3Uri scene = put("s3://bkt/nap.pov", "#while (1) #end\n");
    long start = System.nanoTime();
    TileFailedException e = failsWithoutDeadline(r, povray("nap", scene), new TileLog());
    assertEquals("tile 0 of job nap: POV-Ray ran past the time limit of 3 s (worker.tile-time-seconds) and was stopped",
        e.getMessage());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(50));
    noPovRayLeft();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aBlenderMemoryBombFailsAtTheMemoryLimitNamingIt(@TempDir Path dir) throws Exception {
    TileRenderer r = renderer(limits(60, 512, Duration.ofMinutes(10)));
    String why = r.unavailable("blender");
    Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    // A cube subdivided 11 times at render time: 25 million faces, gigabytes of mesh.
    Path script = dir.resolve("make.py");
    Path blend = dir.resolve("hog.blend");
    Files.writeString(script, String.join("\n", "import bpy, sys",
        "bpy.ops.wm.read_factory_settings(use_empty=True)",
        "scene = bpy.context.scene; scene.render.engine = 'CYCLES'",
        "bpy.ops.mesh.primitive_cube_add()",
        "m = bpy.context.object.modifiers.new('s', 'SUBSURF'); m.levels = 1; m.render_levels = 11",
        "bpy.ops.object.camera_add(location=(5, -5, 4), rotation=(1.1, 0, 0.785)); scene.camera = bpy.context.object",
        "bpy.ops.wm.save_as_mainfile(filepath=sys.argv[sys.argv.index('--') + 1])", ""));
    Process p = new ProcessBuilder("/usr/bin/blender", "-b", "--factory-startup", "--python", script.toString(), "--",
        blend.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && Files.exists(blend), out);
    S3Uri scene = put("s3://bkt/hog.blend", Files.readAllBytes(blend));
    JobRequest.Render job = new JobRequest.Render("hog3d", 64, 64, Renderer.BLENDER,
        new SceneSpec.Blender(scene, null, null, null), 1, 0, 64, null);
    TileFailedException e = failsWithoutDeadline(r, job, new TileLog());
    assertEquals("tile 0 of job hog3d: Blender exceeded the memory limit of 512 MiB (worker.tile-memory-mb)",
        e.getMessage());
  }

  @Test
  void aTextureDeclaringMorePixelsThanTheCapFailsUndecoded() {
    // About 400 KB that decodes to 20000 x 20000 (4.8 GB as float texels): refused from its header.
    byte[] bomb = Bombs.png(20_000, 20_000);
    assertTrue(bomb.length < 1_000_000, bomb.length + " bytes");
    put("s3://bkt/tex/bomb.png", bomb);
    JobRequest.Render job = builtin("{\"camera\":{\"position\":[0,2,3],\"lookAt\":[0,0,0]},\"assets\":\"s3://bkt/tex/\","
        + "\"textures\":{\"t\":{\"type\":\"image\",\"file\":\"bomb.png\"}},\"materials\":{\"m\":{\"type\":\"diffuse\","
        + "\"color\":[1,1,1],\"texture\":\"t\"}},\"objects\":[{\"type\":\"sphere\",\"center\":[0,0,0],\"radius\":1,"
        + "\"material\":\"m\"}]}");
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> renderer(TileLimits.DEFAULTS).render(job, new TileRect(0, 0, 0, 24, 16), 24, 16));
    assertTrue(e.getMessage().contains("'bomb.png': is a 20000x20000 = 400000000 pixel image; a scene's images may "
        + "have at most 67108864 pixels (worker.max-texture-pixels)"), e.getMessage());
  }

  @Test
  void anHdrMapShorterThanItsDeclaredSizeFailsBeforeItsPixelsAreAllocated() {
    // 8192 x 8192 declared (800 MB of floats), 16 bytes given.
    put("s3://bkt/env/sky.hdr", "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 8192 +X 8192\n0123456789abcdef");
    JobRequest.Render job = builtin("{\"camera\":{\"position\":[0,2,3],\"lookAt\":[0,0,0]},\"assets\":\"s3://bkt/env/\","
        + "\"environment\":{\"file\":\"sky.hdr\"},\"materials\":{\"w\":{\"type\":\"diffuse\",\"color\":[1,1,1]}},"
        + "\"objects\":[{\"type\":\"sphere\",\"center\":[0,0,0],\"radius\":1,\"material\":\"w\"}]}");
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> renderer(TileLimits.DEFAULTS).render(job, new TileRect(0, 0, 0, 24, 16), 24, 16));
    assertTrue(e.getMessage().contains("'sky.hdr': HDR file is truncated: a 8192x8192 image needs at least"),
        e.getMessage());
  }

  @Test
  void aStoredSceneNamingAFileOutsideTheReadableBucketsFails() {
    put("s3://secret/private.png", Bombs.png(4, 4));
    S3Uri scene = put("s3://uploads/scene.json", "{\"camera\":{\"position\":[0,2,3],\"lookAt\":[0,0,0]},"
        + "\"textures\":{\"t\":{\"type\":\"image\",\"file\":\"s3://secret/private.png\"}},\"materials\":{\"m\":"
        + "{\"type\":\"diffuse\",\"color\":[1,1,1],\"texture\":\"t\"}},\"objects\":[{\"type\":\"sphere\","
        + "\"center\":[0,0,0],\"radius\":1,\"material\":\"m\"}]}");
    JobRequest.Render job = new JobRequest.Render("st", 24, 16, Renderer.BUILTIN,
        new SceneSpec.Stored(scene), 1, 0, 64, null);
    TileLimits confined = new TileLimits(60, 1L << 30, Duration.ofMinutes(1), TileLimits.DEFAULT_MAX_PIXELS,
        TileLimits.DEFAULT_MAX_TEXTURE_PIXELS, List.of("uploads"));
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> renderer(confined).render(job, new TileRect(0, 0, 0, 24, 16), 24, 16));
    assertTrue(e.getMessage().contains("s3://secret/private.png is in a bucket this farm may not read "
        + "(limits.input-buckets: uploads)"), e.getMessage());
  }

  @Test
  void anArchiveHoldingAFileAndAFolderOfOneNameFailsNamingBoth() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("a", "x".getBytes(StandardCharsets.UTF_8));
    entries.put("a/scene.pov", "sphere { 0, 1 }\n".getBytes(StandardCharsets.UTF_8));
    S3Uri archive = put("s3://bkt/clash.zip", SceneSourceTest.zip(entries));
    JobRequest.Render job = new JobRequest.Render("clash", 64, 64, Renderer.POVRAY,
        new SceneSpec.PovRay(archive, "a/scene.pov", 0, 1, false, 9, 0, 1), 1, 0, 64, null);
    TileFailedException e = assertThrows(TileFailedException.class, () -> renderer(TileLimits.DEFAULTS).render(job,
        new TileRect(0, 0, 0, 32, 32), 64, 64, RenderContext.none()));
    assertTrue(e.getMessage().contains("holds both a file 'a' and a folder 'a/'"), e.getMessage());
    // The same for a builtin scene's archive and a tar with an explicit folder entry.
    Map<String, byte[]> tar = new LinkedHashMap<>();
    tar.put("scene.json", "{}".getBytes(StandardCharsets.UTF_8));
    tar.put("m", "x".getBytes(StandardCharsets.UTF_8));
    tar.put("m/x.obj", "v 0 0 0\n".getBytes(StandardCharsets.UTF_8));
    S3Uri stored = put("s3://bkt/clash.tar", SceneSourceTest.tar(tar));
    JobRequest.Render builtin = new JobRequest.Render("clash2", 24, 16, Renderer.BUILTIN,
        new SceneSpec.Stored(stored), 1, 0,
        64, null);
    TileFailedException f = assertThrows(TileFailedException.class,
        () -> renderer(TileLimits.DEFAULTS).render(builtin, new TileRect(0, 0, 0, 24, 16), 24, 16));
    assertTrue(f.getMessage().contains("holds both a file 'm' and a folder 'm/'"), f.getMessage());
  }
}
