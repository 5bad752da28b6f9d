package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.ChainPlan.Box;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BoundedMap;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Makes tiles of process jobs: a tile is the job's op chain applied to its input, cut to the tile, with
 * bytes equal to those the same OpenCV calls give on the whole image. Thread-safe.
 *
 * <p>Each tile is computed from its own copy of the input box it depends on ({@link ChainPlan#needs}: the
 * tile traced back through the ops, grown by each local op's halo, mapped through each geometry op, clipped to
 * the image). At the image's true edges the box edge is the image edge, so OpenCV's border handling is the
 * whole image's; at an interior cut the border handling corrupts only pixels within the halo of the cut,
 * which the crop after each op discards.
 *
 * <p>Jobs with whole-image ops run in passes (see {@link ChainPlan}): a statistics-pass tile yields the
 * tile's partial statistics as JSON; the last pass applies the whole-image ops with the merged statistics.
 * Analysis ops add a partial report to the tile.
 */
public final class TileProcessor {
  static {
    OpenCv.load();
  }

  /** What a process task yields: the tile's pixels (last pass) or its statistics (earlier passes), and its report. */
  public record Made(TileImage image, byte[] stats, byte[] report) {}

  /** Merged statistics kept for the next tiles of their pass: one per job pass in flight is plenty. */
  private static final int MERGED_KEPT = 16;

  /** The share of the input cache's bound that Canny's kept labels may take besides. */
  private static final int LABELS_SHARE = 4;

  private final InputCache inputs;
  private final CannyLabelCache cannyLabels;
  private final Function<S3Uri, byte[]> fetch;
  private final Map<S3Uri, MergedStats> merged = new BoundedMap<>(MERGED_KEPT, true);

  /**
   * @param fetchInput reads an input object whole; what it throws propagates out of {@link #process}
   *     unchanged
   * @param cacheBytes bound on decoded input pixels kept between tiles
   * @param maxPixels the most pixels an input may declare in its header; a larger one is refused undecoded
   */
  public TileProcessor(Function<S3Uri, byte[]> fetchInput, long cacheBytes, long maxPixels) {
    this(fetchInput, (uri, etag) -> fetchInput.apply(uri), cacheBytes, maxPixels);
  }

  /**
   * @param fetch reads an object whole (merged statistics)
   * @param fetchInput reads a job's input whole, the version with the given ETag when that is not null
   *     (throwing {@link dev.tilefarm.store.BlobChangedException} if the input is no longer that version)
   * @param maxPixels the most pixels an input may declare in its header; a larger one is refused undecoded
   */
  public TileProcessor(Function<S3Uri, byte[]> fetch, BiFunction<S3Uri, String, byte[]> fetchInput, long cacheBytes,
      long maxPixels) {
    this.inputs = new InputCache(fetchInput, cacheBytes, maxPixels);
    this.cannyLabels = new CannyLabelCache(cacheBytes / LABELS_SHARE);
    this.fetch = fetch;
  }

  /** Drops the decoded inputs and Canny labels kept for the jobs {@code ended} names. */
  public void forget(java.util.function.Predicate<String> ended) {
    inputs.forget(ended);
    cannyLabels.forget(ended);
  }

  /** Where detect-faces finds OpenCV's cascade files (default {@code /usr/share/opencv4/haarcascades}). */
  public static void cascadeDir(Path dir) {
    Analysis.cascadeDir(dir);
  }

  /**
   * The pixels of {@code tile} of a job in one pass: grey, RGB or RGBA as the op chain leaves the input's
   * channels, in the tile's rows top to bottom.
   *
   * @throws TileFailedException if the input is not a readable image in a supported format, or the job
   *     needs statistics passes
   */
  public TileImage process(JobRequest.Process job, TileRect tile, int imageWidth, int imageHeight)
      throws TileFailedException {
    return process(job, tile, imageWidth, imageHeight, 0, null).image();
  }

  /**
   * The result of {@code tile} in pass {@code pass} of the job.
   *
   * @param imageWidth the width of the image the pass's tiles cover (the output for the last pass)
   * @param stats where the merged statistics of the passes before are (null in pass 0)
   */
  public Made process(JobRequest.Process job, TileRect tile, int imageWidth, int imageHeight, int pass, S3Uri stats)
      throws TileFailedException {
    return process(job, tile, imageWidth, imageHeight, pass, stats, null);
  }

  /**
   * As {@link #process(JobRequest.Process, TileRect, int, int, int, S3Uri)}, reading the version of the input
   * with ETag {@code inputEtag} (the one whose size the splitter checked; null: the current one).
   *
   * @throws TileFailedException also if the input has been replaced since it had that ETag
   */
  public Made process(JobRequest.Process job, TileRect tile, int imageWidth, int imageHeight, int pass, S3Uri stats,
      String inputEtag) throws TileFailedException {
    DecodedImage input = inputs.get(job.id(), job.input(), inputEtag);
    MergedStats mergedStats = stats == null ? MergedStats.NONE : mergedStats(stats);
    int tileSize = mergedStats.tileSize(Math.max(tile.width(), tile.height()));
    ChainPlan plan;
    try {
      plan = new ChainPlan(job.ops(), input.width(), input.height(), tileSize);
    } catch (IllegalArgumentException e) {
      throw new TileFailedException("job " + job.id() + ": " + e.getMessage());
    }
    if (pass >= plan.passes()) {
      throw new TileFailedException("job " + job.id() + " has " + plan.passes() + " passes, not " + (pass + 1));
    }
    int end = plan.endOf(pass);
    if (plan.width(end) != imageWidth || plan.height(end) != imageHeight) {
      throw new TileFailedException("input " + job.input() + " is " + input.width() + "x" + input.height()
          + ", giving a " + plan.width(end) + "x" + plan.height(end) + " image in pass " + pass + ", but job "
          + job.id() + " was planned for " + imageWidth + "x" + imageHeight
          + " (was the object replaced after the job was accepted?)");
    }
    Box want = Box.of(tile);
    boolean last = pass == plan.passes() - 1;
    ImageOp.WholeImage statsOp = last ? null : (ImageOp.WholeImage) plan.ops().get(end);
    Box target = last ? want : want.grow(WholeImageOps.statsHalo(statsOp), imageWidth, imageHeight);
    ArrayNode report = last ? Json.MAPPER.createArrayNode() : null;
    Mat result = pass == 0 ? null : fromKeptLabels(job.id(), inputEtag, plan, pass, target, mergedStats, report);
    if (result == null) {
      Box[] need = plan.needs(end, target);
      Mat region = copyRegion(input, need[0]);
      try {
        result = OpChain.run(plan, 0, end, region, need[0], target, mergedStats, report);
      } catch (IllegalStateException e) {
        if (e.getCause() instanceof TileFailedException t) {
          throw t;
        }
        throw e;
      }
    }
    try {
      if (!last) {
        ObjectNode partial = WholeImageOps.partial(statsOp, result, target, want, imageWidth, imageHeight,
            labels -> cannyLabels.put(new CannyLabelCache.Key(job.id(), inputEtag, end, want), labels));
        // The compositor plans the next pass from the job and its input's size, which only workers read.
        partial.put("inputWidth", input.width());
        partial.put("inputHeight", input.height());
        if (inputEtag != null) {
          // ... and the later passes read the same version of the input.
          partial.put("inputEtag", inputEtag);
        }
        return new Made(null, bytes(partial), null);
      }
      int channels = result.channels();
      if (channels != job.outputChannels(input.channels())) {
        throw new IllegalStateException("op chain of job " + job.id() + " left " + channels + " channels, expected "
            + job.outputChannels(input.channels()));
      }
      byte[] pixels = new byte[tile.width() * tile.height() * channels];
      result.get(0, 0, pixels);
      swapRedAndBlue(pixels, channels);
      byte[] reportBytes = report.isEmpty() ? null : bytes(Json.MAPPER.createObjectNode().set("analyses", report));
      return new Made(new TileImage(tile.width(), tile.height(), channels, pixels), null, reportBytes);
    } finally {
      result.release();
    }
  }

  /**
   * Box {@code target} of pass {@code pass}'s output when the pass before gathered Canny's statistics and this
   * worker kept the labels of every statistics tile the box needs: Canny's output drawn from them, then the ops
   * after Canny. Null otherwise (the ops before Canny then run again from the input, giving the same labels), and
   * when an analysis op before Canny must report in this pass.
   */
  private Mat fromKeptLabels(String jobId, String inputEtag, ChainPlan plan, int pass, Box target,
      MergedStats stats, ArrayNode report) {
    int canny = plan.statsOp(pass - 1);
    if (!(plan.ops().get(canny) instanceof ImageOp.Canny)) {
      return null;
    }
    if (report != null && plan.ops().subList(0, canny).stream().anyMatch(op -> op instanceof ImageOp.Analysis)) {
      return null;
    }
    int end = plan.endOf(pass);
    Box[] need = plan.needs(end, target);
    Mat drawn = CannyLabels.draw(plan.width(canny), plan.height(canny), plan.tileSize(), need[canny + 1],
        stats.of(pass - 1).json().get("on"),
        tile -> cannyLabels.get(new CannyLabelCache.Key(jobId, inputEtag, canny, tile)));
    return drawn == null ? null : OpChain.run(plan, canny + 1, end, drawn, need[canny + 1], target, stats, report);
  }

  private MergedStats mergedStats(S3Uri uri) throws TileFailedException {
    synchronized (merged) {
      MergedStats m = merged.get(uri);
      if (m != null) {
        return m;
      }
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(fetch.apply(uri));
    } catch (IOException e) {
      throw new TileFailedException("the merged statistics at " + uri + " are not JSON: " + e.getMessage(), e);
    }
    MergedStats m = new MergedStats(json);
    synchronized (merged) {
      merged.putIfAbsent(uri, m);
      return merged.get(uri);
    }
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return Json.MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A new, continuous Mat holding the given box of the image. */
  private static Mat copyRegion(DecodedImage image, Box box) {
    int channels = image.channels();
    Mat region = new Mat(box.height(), box.width(), CvType.CV_8UC(channels));
    for (int row = 0; row < box.height(); row++) {
      region.put(row, 0, image.rows()[box.y() + row], box.x() * channels, box.width() * channels);
    }
    return region;
  }

  /** OpenCV's BGR(A) order to the tile's RGB(A), in place; grey needs nothing. */
  private static void swapRedAndBlue(byte[] pixels, int channels) {
    if (channels < 3) {
      return;
    }
    for (int i = 0; i < pixels.length; i += channels) {
      byte blue = pixels[i];
      pixels[i] = pixels[i + 2];
      pixels[i + 2] = blue;
    }
  }
}
