package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.TileMaker;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TileRendererTest {
  private static final int W = 67;
  private static final int H = 45;

  private final TileMaker maker = new TileMaker(uri -> {
    throw new AssertionError("a render job fetched " + uri);
  }, 0);

  static JobRequest.Render mandelbrot(int width, int height) {
    return new JobRequest.Render("m-1", width, height, Renderer.MANDELBROT,
        new SceneSpec.Mandelbrot(-0.75, 0.1, 1.5, 300),
        1, 0, 0, null);
  }

  /** Two diffuse spheres on a floor under a small lamp, in a dim sky. */
  static SceneSpec.Builtin litScene(int maxDepth) {
    Map<String, SceneSpec.Material> materials = new LinkedHashMap<>();
    materials.put("floor", new SceneSpec.Diffuse(new double[] {0.8, 0.8, 0.8}));
    materials.put("red", new SceneSpec.Diffuse(new double[] {0.8, 0.2, 0.2}));
    materials.put("lamp", new SceneSpec.Emissive(new double[] {1, 0.9, 0.7}, 40));
    return new SceneSpec.Builtin(
        new SceneSpec.Camera(new double[] {0, 1.5, 4.5}, new double[] {0, 0.5, 0}, new double[] {0, 1, 0}, 45),
        new double[] {0.05, 0.07, 0.1}, null, Map.of(), materials,
        List.of(new SceneSpec.Plane(new double[] {0, 0, 0}, new double[] {0, 1, 0}, "floor"),
            new SceneSpec.Sphere(new double[] {-0.6, 0.6, 0}, 0.6, "red"),
            new SceneSpec.Sphere(new double[] {0.8, 0.4, 0.5}, 0.4, "floor"),
            new SceneSpec.Sphere(new double[] {0.3, 2.0, -0.3}, 0.2, "lamp")),
        List.of(), maxDepth, null, false, 1);
  }

  static JobRequest.Render builtin(int width, int height, int samples) {
    return new JobRequest.Render("b-1", width, height, Renderer.BUILTIN, litScene(6), samples, 1234, 0, null);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16, 23})
  void mandelbrotTilesAssembleToTheWholeImage(int tileSize) throws Exception {
    JobRequest.Render job = mandelbrot(W, H);
    assertArrayEquals(whole(job).pixels(), assemble(job, tileSize).pixels());
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 16, 23})
  void builtinTilesAssembleToTheWholeImage(int tileSize) throws Exception {
    JobRequest.Render job = builtin(W, H, 4);
    assertArrayEquals(whole(job).pixels(), assemble(job, tileSize).pixels());
  }

  @Test
  void tilesMadeOnSeveralThreadsInAnyOrderAssembleToTheWholeImage() throws Exception {
    JobRequest.Render job = builtin(W, H, 4);
    byte[] expected = whole(job).pixels();
    // A fresh maker, so the threads also race to prepare the scene.
    TileMaker fresh = new TileMaker(uri -> null, 0);
    List<TileRect> tiles = tiles(W, H, 8);
    Collections.shuffle(tiles, new Random(7));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<TileImage>> made = new ArrayList<>();
      for (TileRect t : tiles) {
        made.add(pool.submit(() -> fresh.make(job, t, W, H)));
      }
      byte[] assembled = new byte[W * H * 3];
      for (int i = 0; i < tiles.size(); i++) {
        paste(assembled, W, tiles.get(i), made.get(i).get());
      }
      assertArrayEquals(expected, assembled);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Locks the bytes of both renderers: they are computed with IEEE arithmetic and StrictMath only, so they
   * must be the same on every JVM and CPU. A deliberate change to a renderer changes these digests; update
   * them in the same change and say why.
   */
  @Test
  void rendersTheSameBytesAsEverBefore() throws Exception {
    assertEquals("1208db05b2e3cce654d01e71845b5430a61082778df790caeb9c844872cac739", sha256(whole(mandelbrot(W, H))));
    // Changed with the physically based tracer (issue 3): each sample now draws two lens dimensions, each
    // bounce a fixed 7 (light choice, light point, BSDF lobe and direction, roulette), and lights are chosen
    // by power, so the same seed draws different paths.
    assertEquals("c912452c4718fdf44772dc13d652ce30b4fadacc37a656a4e56e0990950e8138", sha256(whole(builtin(W, H, 4))));
  }

  @Test
  void mandelbrotIsBlackInsideTheSetAndColouredOutside() throws Exception {
    // At zoom 1 around (-0.5, 0), the 90x60 image spans 4.5 x 3 units: the centre pixel is in the main
    // cardioid, the corner pixel at about (-2.7, 1.5) escapes at once.
    JobRequest.Render job = new JobRequest.Render("m-2", 90, 60, Renderer.MANDELBROT,
        new SceneSpec.Mandelbrot(-0.5, 0, 1, 256), 1, 0, 0, null);
    TileImage centre = maker.make(job, new TileRect(0, 45, 30, 1, 1), 90, 60);
    TileImage corner = maker.make(job, new TileRect(1, 0, 0, 1, 1), 90, 60);
    assertEquals(3, centre.channels());
    assertArrayEquals(new byte[] {0, 0, 0}, centre.pixels());
    assertNotEquals(0, (corner.pixels()[0] & 0xFF) + (corner.pixels()[1] & 0xFF) + (corner.pixels()[2] & 0xFF));
  }

  @Test
  void builtinImageOfALitSceneIsNotBlack() throws Exception {
    TileImage image = whole(builtin(W, H, 4));
    long sum = 0;
    for (byte b : image.pixels()) {
      sum += b & 0xFF;
    }
    assertTrue(sum / image.pixels().length > 20, "mean byte " + sum / image.pixels().length);
  }

  @Test
  void aRendererNamedForAnotherSceneKindFailsTheTile() {
    JobRequest.Render job = new JobRequest.Render("x-1", 10, 10, Renderer.BUILTIN,
        new SceneSpec.Mandelbrot(0, 0, 1, 10),
        1, 0, 0, null);
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> maker.make(job, new TileRect(0, 0, 0, 10, 10), 10, 10));
    assertTrue(e.getMessage().contains("'builtin'"), e.getMessage());
  }

  @Test
  void anImageSizeOtherThanTheJobsFailsTheTile() {
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> maker.make(mandelbrot(W, H), new TileRect(0, 0, 0, 8, 8), W + 1, H));
    assertTrue(e.getMessage().contains(W + "x" + H), e.getMessage());
  }

  @Test
  void aTileOutsideTheImageFailsTheTile() {
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> maker.make(mandelbrot(W, H), new TileRect(3, 64, 40, 8, 8), W, H));
    assertTrue(e.getMessage().contains("outside"), e.getMessage());
  }

  @Test
  void everySceneKindHasARenderer() {
    // TileRenderer dispatches with instanceof over this sealed set; a new kind must get a branch there.
    assertEquals(List.of(SceneSpec.Mandelbrot.class, SceneSpec.Builtin.class, SceneSpec.Stored.class,
        SceneSpec.PovRay.class, SceneSpec.Blender.class, SceneSpec.Sleep.class),
        List.of(SceneSpec.class.getPermittedSubclasses()));
  }

  private TileImage whole(JobRequest.Render job) throws TileFailedException {
    return maker.make(job, new TileRect(0, 0, 0, job.width(), job.height()), job.width(), job.height());
  }

  private TileImage assemble(JobRequest.Render job, int tileSize) throws TileFailedException {
    byte[] out = new byte[job.width() * job.height() * 3];
    for (TileRect t : tiles(job.width(), job.height(), tileSize)) {
      TileImage tile = maker.make(job, t, job.width(), job.height());
      assertEquals(t.width(), tile.width());
      assertEquals(t.height(), tile.height());
      paste(out, job.width(), t, tile);
    }
    return new TileImage(job.width(), job.height(), 3, out);
  }

  static List<TileRect> tiles(int width, int height, int size) {
    List<TileRect> out = new ArrayList<>();
    for (int y = 0; y < height; y += size) {
      for (int x = 0; x < width; x += size) {
        out.add(new TileRect(out.size(), x, y, Math.min(size, width - x), Math.min(size, height - y)));
      }
    }
    return out;
  }

  static void paste(byte[] image, int imageWidth, TileRect t, TileImage tile) {
    int c = tile.channels();
    for (int row = 0; row < t.height(); row++) {
      System.arraycopy(tile.pixels(), row * t.width() * c, image, ((t.y() + row) * imageWidth + t.x()) * c,
          t.width() * c);
    }
  }

  private static String sha256(TileImage image) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image.pixels()));
  }

  @Test
  void theSleepRendererTakesItsWallTimeAndMakesABlackTile() throws Exception {
    JobRequest.Render job = new JobRequest.Render("s-1", 64, 48, Renderer.SLEEP, new SceneSpec.Sleep(40), 1, 0, 0, null);
    long t0 = System.nanoTime();
    TileImage tile = maker.make(job, new TileRect(3, 16, 32, 16, 16), 64, 48);
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(elapsedMs >= 40, "slept " + elapsedMs + " ms of 40");
    assertEquals(16, tile.width());
    assertEquals(16, tile.height());
    assertArrayEquals(new byte[16 * 16 * 3], tile.pixels(), "black");
  }
}
