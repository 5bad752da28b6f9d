package dev.tilefarm.worker.render;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.TileLimits;
import dev.tilefarm.worker.render.path.PathTracer;
import dev.tilefarm.worker.render.path.SceneAssetException;
import dev.tilefarm.worker.render.blender.Blender;
import dev.tilefarm.worker.render.external.ExternalRenderer;
import dev.tilefarm.worker.render.external.ProcessLimits;
import dev.tilefarm.worker.render.external.RenderRequest;
import dev.tilefarm.worker.render.povray.PovRay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Renders tiles of render jobs: the one place a job's scene kind picks its renderer. Thread-safe.
 *
 * <p>Every renderer here keys its output on absolute pixel coordinates only, so a tile's bytes are the
 * same whichever tiling, worker or retry produced them.
 *
 * <p>A builtin scene is fetched and built once per job and kept for its later tiles (see
 * {@link PreparedScenes}). A scene file that is missing, malformed or uses an unsupported feature fails the
 * tile with a reason naming the file; a storage fault that may pass propagates as the storage layer threw it.
 */
public final class TileRenderer {
  /** Prepared scenes kept by default: a quarter of the heap, so a worker's tiles in flight still fit. */
  public static final long DEFAULT_CACHE_BYTES = Runtime.getRuntime().maxMemory() / 4;

  private final PreparedScenes prepared;
  private final SceneSource sources;
  private final ExternalScenes externalScenes;
  private final TileLimits limits;
  private final ProcessLimits processLimits;
  /** The renderers that run a program; each says whether it can run on this machine. */
  private final Map<Renderer, ExternalRenderer> external = Stream.of(new PovRay(), new Blender())
      .collect(Collectors.toUnmodifiableMap(ExternalRenderer::renderer, r -> r));

  /** A renderer for jobs whose scenes reference no stored files (a stored one fails its tiles). */
  public TileRenderer(int preparedJobs) {
    this(preparedJobs, DEFAULT_CACHE_BYTES, uri -> {
      throw new IllegalStateException("this renderer has no object storage to read " + uri + " from");
    });
  }

  /**
   * @param preparedJobs how many jobs' prepared scenes to keep between tiles
   * @param cacheBytes bound on the memory those prepared scenes hold
   * @param fetch reads an object whole (scene files and their assets); what it throws for anything but a
   *     missing object propagates out of {@link #render} unchanged
   */
  public TileRenderer(int preparedJobs, long cacheBytes, Function<S3Uri, byte[]> fetch) {
    this(preparedJobs, cacheBytes, fetch, TileLimits.DEFAULTS);
  }

  /**
   * As {@link #TileRenderer(int, long, Function)}, under {@code limits}: external renderers' CPU time, memory
   * and time, the pixel cap of a scene's images, and the buckets scene files may come from (a file elsewhere
   * fails the tile naming it).
   */
  public TileRenderer(int preparedJobs, long cacheBytes, Function<S3Uri, byte[]> fetch, TileLimits limits) {
    this.limits = limits;
    this.processLimits = new ProcessLimits(limits.cpuSeconds(), limits.memoryBytes(), limits.time());
    Function<S3Uri, byte[]> confined = uri -> {
      if (!limits.readable(uri.bucket())) {
        throw new SceneAssetException(uri.toString(), limits.unreadable(uri.toString()));
      }
      return fetch.apply(uri);
    };
    this.prepared = new PreparedScenes(preparedJobs, cacheBytes);
    this.sources = new SceneSource(confined);
    this.externalScenes = new ExternalScenes(scratchRoot(), preparedJobs, confined);
  }

  /** The scratch folder of this process's scene folders and tile work folders, deleted when the process ends. */
  private static final Path SCRATCH = Path.of(System.getProperty("java.io.tmpdir"),
      "tilefarm-scenes-" + ProcessHandle.current().pid());

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ExternalScenes.delete(SCRATCH), "scratch-cleanup"));
  }

  private static Path scratchRoot() {
    return SCRATCH;
  }

  /**
   * The renderers this machine can run: mandelbrot, builtin and sleep always, povray and blender when their program
   * and the sandbox are installed (what a worker advertises, and which tile tasks it subscribes to).
   */
  public List<String> available() {
    List<String> out = new ArrayList<>();
    for (Renderer renderer : Renderer.values()) {
      if (unavailable(renderer) == null) {
        out.add(renderer.id());
      }
    }
    return out;
  }

  /** Drops what is kept for the jobs {@code ended} names (prepared scenes), so that it does not outlive them. */
  public void forget(java.util.function.Predicate<String> ended) {
    prepared.forget(ended);
  }

  /** Why the renderer whose {@link Renderer#id()} is {@code renderer} cannot run here, or null if it can. */
  public String unavailable(String renderer) {
    return unavailable(Renderer.of(renderer));
  }

  private String unavailable(Renderer renderer) {
    return switch (renderer) {
      case MANDELBROT, BUILTIN, SLEEP -> null;
      case POVRAY, BLENDER -> external.get(renderer).unavailable();
    };
  }

  /** A render without frame, time limit or log (see {@link #render(JobRequest.Render, TileRect, int, int, RenderContext)}). */
  public TileImage render(JobRequest.Render job, TileRect tile, int imageWidth, int imageHeight)
      throws TileFailedException {
    try {
      return render(job, tile, imageWidth, imageHeight, RenderContext.none());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while rendering " + tile.index() + " of job " + job.id(), e);
    }
  }

  /**
   * The pixels of {@code tile}: RGB, 8-bit sRGB, or 16-bit linear for a builtin scene with that encoding.
   * The tile lies inside the {@code imageWidth x imageHeight} image.
   */
  public TileImage render(JobRequest.Render job, TileRect tile, int imageWidth, int imageHeight, RenderContext context)
      throws TileFailedException, InterruptedException {
    if (imageWidth != job.width() || imageHeight != job.height()) {
      throw new TileFailedException("job " + job.id() + " renders a " + job.width() + "x" + job.height()
          + " image but its tile task says " + imageWidth + "x" + imageHeight);
    }
    SceneSpec scene = job.scene();
    Renderer drawing = Renderer.of(scene);
    if (!drawing.id().equals(job.renderer())) {
      throw new TileFailedException("job " + job.id() + " names renderer '" + job.renderer() + "' but carries a "
          + drawing.id() + " scene");
    }
    return switch (scene) {
      case SceneSpec.Mandelbrot m -> new Mandelbrot(m, job.width(), job.height()).render(tile);
      case SceneSpec.Sleep s -> sleep(s, tile);
      case SceneSpec.Builtin b -> renderBuiltin(job, tile, scene);
      case SceneSpec.Stored s -> renderBuiltin(job, tile, scene);
      case SceneSpec.PovRay p -> renderExternal(job, tile, context, p.file(), p.main(), "pov");
      case SceneSpec.Blender b -> renderExternal(job, tile, context, b.file(), b.main(), "blend");
    };
  }

  /** The benchmarks' renderer: the set wall time, almost no CPU, a black tile. */
  private static TileImage sleep(SceneSpec.Sleep spec, TileRect tile) throws InterruptedException {
    Thread.sleep(spec.millisPerTile());
    return new TileImage(tile.width(), tile.height(), 3, new byte[tile.width() * tile.height() * 3]);
  }

  private TileImage renderBuiltin(JobRequest.Render job, TileRect tile, SceneSpec scene) throws TileFailedException {
    PathTracer tracer;
    try {
      tracer = prepared.getOrPrepare(new PreparedScenes.Key(job.id(), job.width(), job.height(), job.samples(),
          job.seed()), () -> prepare(job, scene));
    } catch (TileFailedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("preparing the scene of job " + job.id(), e);
    }
    return tracer.render(tile);
  }

  private PathTracer prepare(JobRequest.Render job, SceneSpec scene) throws TileFailedException {
    try {
      SceneSource.Resolved resolved = sources.resolve(scene);
      return PathTracer.prepare(resolved.spec(), job.width(), job.height(), job.samples(), job.seed(),
          resolved.assets(), limits.maxTexturePixels());
    } catch (SceneAssetException e) {
      throw new TileFailedException("scene of job " + job.id() + ": " + e.getMessage(), e);
    } catch (InvalidJobException e) {
      throw new TileFailedException("scene of job " + job.id() + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      // Geometry the loaders accepted but that cannot be built (a singular transform from a file, say).
      throw new TileFailedException("scene of job " + job.id() + " cannot be built: " + e.getMessage(), e);
    }
  }

  private TileImage renderExternal(JobRequest.Render job, TileRect tile, RenderContext context, S3Uri file, String main,
      String extension) throws TileFailedException, InterruptedException {
    ExternalRenderer renderer = external.get(Renderer.of(job.renderer()));
    String why = renderer.unavailable();
    if (why != null) {
      // Routing keeps such tiles away from this worker; one that arrives anyway is not this job's fault.
      throw new IllegalStateException("this worker cannot render " + job.renderer() + " tiles: " + why);
    }
    ExternalScenes.Unpacked scene = externalScenes.get(job.id(), file, main, extension);
    Path work;
    try {
      work = Files.createTempDirectory(externalScenes.root(), "tile-" + tile.index() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("making a work folder for tile " + tile.index() + " of job " + job.id(), e);
    }
    try {
      return renderer.render(new RenderRequest(job, scene.dir(), scene.main(), work, tile, context.frame(),
          context.frameIndex(), context.deadlineMillis(), processLimits, context.log(), context.progress()));
    } finally {
      ExternalScenes.delete(work);
    }
  }
}
