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
import dev.tilefarm.worker.render.video.VideoEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

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
  private final PovRay povray = new PovRay();
  private final Blender blender = new Blender();

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
    this.videos = new VideoEncoder(processLimits);
  }

  private final VideoEncoder videos;

  /**
   * The video of an animation's {@code count} frames ({@code frame}: index in video order -> the image's bytes,
   * {@code extension} their format), encoded with ffmpeg in a work folder of its own (see {@link VideoEncoder}).
   */
  public byte[] encodeVideo(JobRequest.Video video, int count, java.util.function.IntFunction<byte[]> frame,
      String extension, RenderContext context, String label) throws TileFailedException, InterruptedException {
    String why = unavailable(Renderer.FFMPEG);
    if (why != null) {
      // Routing keeps video tasks away from this worker; one that arrives anyway is not the job's fault.
      throw new IllegalStateException("this worker cannot encode videos: " + why);
    }
    Path work;
    try {
      Files.createDirectories(externalScenes.root());
      work = Files.createTempDirectory(externalScenes.root(), "video-");
    } catch (IOException e) {
      throw new UncheckedIOException("making a work folder for " + label, e);
    }
    try {
      return videos.encode(video, count, frame, extension, work, context.deadlineMillis(), context.log(),
          context.progress(), label);
    } finally {
      VideoEncoder.delete(work);
    }
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
   * The renderers this machine can run: mandelbrot, builtin and sleep always, povray, blender and ffmpeg when their
   * program and the sandbox are installed and they are not turned off (what a worker advertises, and which tile
   * tasks it subscribes to).
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

  /**
   * Why {@code renderer} cannot run here, or null: turned off on this worker ({@link TileLimits#renderers()}), or
   * its program or the sandbox not installed. The one answer for routing (the lanes a worker subscribes to, the
   * renderers it advertises) and for a tile that arrives anyway.
   */
  private String unavailable(Renderer renderer) {
    String off = limits.renderers().turnedOff(renderer);
    if (off != null) {
      return off;
    }
    return switch (renderer) {
      case MANDELBROT, BUILTIN, SLEEP -> null;
      case POVRAY -> povray.unavailable();
      case BLENDER -> blender.unavailable();
      case FFMPEG -> videos.unavailable();
    };
  }

  /**
   * A render without frame, time limit or log (see
   * {@link #render(JobRequest.Render, TileRect, int, int, RenderContext)}).
   */
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
   * The pixels of {@code tile}: RGB at the job's {@link JobRequest.Render#bitDepth} (8-bit sRGB; 16-bit sRGB,
   * or 16-bit linear for a builtin scene with that encoding; floats for an EXR output).
   * The tile lies inside the {@code imageWidth x imageHeight} image.
   */
  public TileImage render(JobRequest.Render job, TileRect tile, int imageWidth, int imageHeight, RenderContext context)
      throws TileFailedException, InterruptedException {
    if (imageWidth != job.width() || imageHeight != job.height()) {
      throw new TileFailedException("job " + job.id() + " renders a " + job.width() + "x" + job.height()
          + " image but its tile task says " + imageWidth + "x" + imageHeight);
    }
    SceneSpec scene = job.scene();
    Renderer drawing = scene.renderer();
    if (drawing != job.renderer()) {
      throw new TileFailedException("job " + job.id() + " names renderer '" + job.renderer().id() + "' but carries a "
          + drawing.id() + " scene");
    }
    return switch (scene) {
      case SceneSpec.Mandelbrot m -> new Mandelbrot(m, job.width(), job.height()).render(tile);
      case SceneSpec.Sleep s -> sleep(s, tile);
      case SceneSpec.Builtin b -> renderBuiltin(job, tile, scene, context.frame());
      case SceneSpec.Stored s -> renderBuiltin(job, tile, scene, context.frame());
      case SceneSpec.PovRay p -> renderExternal(povray, p, job, tile, context, p.file(), p.main(), "pov");
      case SceneSpec.Blender b -> renderExternal(blender, b, job, tile, context, b.file(), b.main(), "blend");
    };
  }

  /** The benchmarks' renderer: the set wall time, almost no CPU, a black tile. */
  private static TileImage sleep(SceneSpec.Sleep spec, TileRect tile) throws InterruptedException {
    Thread.sleep(spec.millisPerTile());
    return new TileImage(tile.width(), tile.height(), 3, new byte[tile.width() * tile.height() * 3]);
  }

  /** A tile of the builtin renderer at {@code frame} of the job's animation (null: a job without frames). */
  private TileImage renderBuiltin(JobRequest.Render job, TileRect tile, SceneSpec scene, Integer frame)
      throws TileFailedException {
    PathTracer tracer;
    try {
      tracer = prepared.getOrPrepare(new PreparedScenes.Key(job.id(), job.width(), job.height(), job.samples(),
          job.seed(), frame), () -> prepare(job, scene, frame));
    } catch (TileFailedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("preparing the scene of job " + job.id(), e);
    }
    return tracer.render(tile, job.bitDepth());
  }

  private PathTracer prepare(JobRequest.Render job, SceneSpec scene, Integer frame) throws TileFailedException {
    try {
      SceneSource.Resolved resolved = sources.resolve(scene);
      return PathTracer.prepare(resolved.spec(), job.width(), job.height(), job.samples(), job.seed(),
          resolved.assets(), limits.maxTexturePixels(), frame);
    } catch (SceneAssetException e) {
      throw new TileFailedException("scene of job " + job.id() + ": " + e.getMessage(), e);
    } catch (InvalidJobException e) {
      throw new TileFailedException("scene of job " + job.id() + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      // Geometry the loaders accepted but that cannot be built (a singular transform from a file, say).
      throw new TileFailedException("scene of job " + job.id() + " cannot be built: " + e.getMessage(), e);
    }
  }

  private <S extends SceneSpec> TileImage renderExternal(ExternalRenderer<S> renderer, S spec, JobRequest.Render job,
      TileRect tile, RenderContext context, S3Uri file, String main, String extension)
      throws TileFailedException, InterruptedException {
    String why = unavailable(job.renderer());
    if (why != null) {
      // Routing keeps such tiles away from this worker; one that arrives anyway is not this job's fault.
      throw new IllegalStateException("this worker cannot render " + job.renderer().id() + " tiles: " + why);
    }
    ExternalScenes.Unpacked scene = externalScenes.get(job.id(), file, main, extension);
    Path work;
    try {
      work = Files.createTempDirectory(externalScenes.root(), "tile-" + tile.index() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("making a work folder for tile " + tile.index() + " of job " + job.id(), e);
    }
    try {
      return renderer.render(spec, new RenderRequest(job, scene.dir(), scene.main(), work, tile, context.frame(),
          context.frameIndex(), context.deadlineMillis(), processLimits, context.log(), context.progress()));
    } finally {
      ExternalScenes.delete(work);
    }
  }
}
