package dev.tilefarm.worker;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.ops.TileProcessor;
import dev.tilefarm.worker.render.RenderContext;
import dev.tilefarm.worker.render.TileRenderer;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Makes the pixels of one tile: the render worker's domain core, free of Kafka. Thread-safe: the edge calls
 * {@link #make} from several threads at once.
 *
 * <p>Both kinds of job are deterministic: a tile's bytes depend only on the job and the tile's rectangle in
 * absolute image coordinates, never on how the image was cut, which worker made which tile, or in what
 * order. Assembled tiles of a render job equal the image rendered as one tile; assembled tiles of a process
 * job equal the same OpenCV calls applied to the whole image.
 */
public final class TileMaker {
  /** Jobs whose prepared scenes are kept: a worker usually serves a few jobs at a time. */
  private static final int PREPARED_SCENES = 8;

  private final TileRenderer renderer;
  private final TileProcessor processor;

  /**
   * @param fetchInput reads a process job's input object, or a render job's scene file or asset, whole. Whatever it
   *     throws propagates out of {@link #make} unchanged, so that the caller can tell a transient storage fault from a
   *     missing object.
   * @param cacheBytes bound on the decoded input pixels kept between tiles (least recently used first
   *     out); 0 disables the cache
   */
  public TileMaker(Function<S3Uri, byte[]> fetchInput, long cacheBytes) {
    this(fetchInput, (uri, etag) -> fetchInput.apply(uri), cacheBytes, TileLimits.DEFAULTS);
  }

  /**
   * As {@link #TileMaker(Function, long)}, under {@code limits} (see {@link TileLimits}), with
   * {@code fetchPinned} reading a process job's input at the version its task names (S3's If-Match; null: the
   * current one), throwing {@link dev.tilefarm.store.BlobChangedException} for an input replaced since.
   */
  public TileMaker(Function<S3Uri, byte[]> fetch, BiFunction<S3Uri, String, byte[]> fetchPinned, long cacheBytes,
      TileLimits limits) {
    Objects.requireNonNull(fetch, "fetch");
    Objects.requireNonNull(fetchPinned, "fetchPinned");
    Objects.requireNonNull(limits, "limits");
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cacheBytes must be >= 0, got " + cacheBytes);
    }
    this.renderer = new TileRenderer(PREPARED_SCENES, TileRenderer.DEFAULT_CACHE_BYTES, fetch, limits);
    this.processor = new TileProcessor(fetch, fetchPinned, cacheBytes, limits.maxPixels());
  }

  /**
   * The pixels of {@code tile}: exactly {@code tile.width() x tile.height()}, RGB for render jobs and, for
   * process jobs, grey, RGB or RGBA as the op chain leaves the input's channels.
   *
   * @param imageWidth the full output image's width (for a process job, the input's width as the splitter
   *     read it from the header)
   * @param imageHeight the full output image's height
   * @throws TileFailedException if the tile cannot be made and a retry would fail the same way
   */
  /**
   * The result of a process job's task in any pass: pixels in the last pass, partial statistics before it
   * (see {@link dev.tilefarm.schemas.ChainPlan}), and the tile's partial analysis report, if any. {@code pass}
   * is the task's pass (0 for a task of no pass), {@code stats} the merged statistics of the passes before (null
   * in pass 0) and {@code inputEtag} the input's pinned version (null: none).
   */
  public TileProcessor.Made process(JobRequest.Process job, TileTask task, int pass, S3Uri stats, String inputEtag)
      throws TileFailedException {
    return processor.process(job, task.tile(), task.imageWidth(), task.imageHeight(), pass, stats, inputEtag);
  }

  /**
   * Drops what is kept between tiles (prepared scenes, decoded inputs) for the jobs {@code ended} names: a
   * scene or input larger than its cache's budget is kept while its job runs, and must not outlive it.
   */
  public void forget(java.util.function.Predicate<String> ended) {
    renderer.forget(ended);
    processor.forget(ended);
  }

  /** An animation's video of {@code count} frames (see {@link TileRenderer#encodeVideo}). */
  public byte[] encodeVideo(JobRequest.Video video, int count, java.util.function.IntFunction<byte[]> frame,
      String extension, RenderContext context, String label) throws TileFailedException, InterruptedException {
    return renderer.encodeVideo(video, count, frame, extension, context, label);
  }

  /** The renderers this machine can run (see {@link TileRenderer#available()}). */
  public java.util.List<String> renderers() {
    return renderer.available();
  }

  /** Why {@code renderer} cannot run here, or null if it can. */
  public String unavailable(String renderer) {
    return this.renderer.unavailable(renderer);
  }

  public TileImage make(JobRequest job, TileRect tile, int imageWidth, int imageHeight) throws TileFailedException {
    try {
      return make(job, tile, imageWidth, imageHeight, RenderContext.none());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making tile " + tile.index() + " of job " + job.id(), e);
    }
  }

  /**
   * As {@link #make(JobRequest, TileRect, int, int)}, with the frame, time limit, log and progress that
   * renderers running a program use.
   *
   * @throws InterruptedException the tile was abandoned while a renderer's program ran; it has been stopped
   */
  public TileImage make(JobRequest job, TileRect tile, int imageWidth, int imageHeight, RenderContext context)
      throws TileFailedException, InterruptedException {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(tile, "tile");
    if (imageWidth < 1 || imageHeight < 1) {
      throw new TileFailedException("job " + job.id() + " has an empty image (" + imageWidth + "x" + imageHeight + ")");
    }
    if ((long) tile.x() + tile.width() > imageWidth || (long) tile.y() + tile.height() > imageHeight) {
      throw new TileFailedException("tile " + tile.index() + " of job " + job.id() + " (" + tile.width() + "x"
          + tile.height() + " at " + tile.x() + "," + tile.y() + ") lies outside the " + imageWidth + "x"
          + imageHeight + " image");
    }
    return switch (job) {
      case JobRequest.Render render -> renderer.render(render, tile, imageWidth, imageHeight, context);
      case JobRequest.Process process -> processor.process(process, tile, imageWidth, imageHeight);
      case JobRequest.Encode video -> throw new TileFailedException("job " + job.id() + " is a video job: its one "
          + "task is its video, which carries no job");
    };
  }
}
