package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileRect;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A job whose tiles are still coming in: which tiles are done, and what assembly will need to know about
 * them, in a value that stays small however many tiles the job has.
 *
 * <p>The image's size and channels come from the job's first result and every later result must agree
 * ({@link #conflict}). The output comes from the splitter's plan only, never from a result: it is null while
 * the plan has not come in (its topic is not ordered with the results'), and a job whose tiles are all in
 * waits for it. A done bit per tile catches duplicates. Tile rectangles and tile URIs are not
 * stored one by one when they can be derived: the rectangles are predicted by a row-major grid learned
 * from the results themselves (the tile size is the size of any tile that is not in the last column or
 * row), and the URIs by the pattern {@code prefix + index + suffix} seen in the first result. Only tiles
 * that do not fit the prediction are stored explicitly — all rectangles until the grid is known — so a
 * 10,000-tile grid job costs about 1.3 KB (its done bits), not 10,000 rectangles and URIs, and any other
 * layout still assembles correctly, just with a bigger value.
 *
 * <p>Mutable: the state store hands out a fresh copy for each record, which {@link JobAggregator} updates
 * and writes back.
 */
final class JobProgress implements JobState {
  /** {@link #lastProgressAt} before the first PROGRESS event. */
  static final long NEVER = Long.MIN_VALUE;

  final int tileCount;
  final int width;
  final int height;
  final int channels;
  /** Where the image goes, from the splitter's plan; null until the plan is in. */
  S3Uri output;
  final long acceptedAt;
  final long firstSeenAt;
  long renderMs;
  long lastProgressAt;
  int doneCount;
  final BitSet done;
  /** The learned grid's tile size, 0 while not known. */
  int gridWidth;
  int gridHeight;
  /** Tile URIs are {@code uriPrefix + index + uriSuffix}, unless listed in {@link #tileUris}; null: no pattern. */
  final String uriPrefix;
  final String uriSuffix;
  /** Rectangles the grid does not predict. */
  final NavigableMap<Integer, TileRect> rects;
  /** Tile URIs the pattern does not predict. */
  final NavigableMap<Integer, S3Uri> tileUris;
  /** When the job's time limit runs out (epoch ms), or 0 for none. */
  long deadline;
  /** When the last new tile came in (epoch ms): what stuck-job detection measures from. */
  long lastTileAt;
  /**
   * For an animation, the tiles of each frame (frame i has tiles i * frameTiles to (i + 1) * frameTiles - 1,
   * each image assembled as soon as its tiles are in, to the output pattern); 0 for a single image.
   */
  int frameTiles;
  /** The bytes of the frames assembled so far. */
  long frameBytes;
  /**
   * The fraction of the last PROGRESS event, below which later ones never go: the in-tile progress that raised
   * it is kept in memory only ({@link InTileProgress}), so after a restart the sum may start out lower.
   */
  double reported;
  /**
   * For a job of packed tiles ({@code TileResult.Done#packTiles}), the pack size: tile i is part i mod
   * packTiles of the pack that starts at i - part, whose URI the pattern gives for that first index; 0 when
   * every tile is an object of its own.
   */
  int packTiles;
  /** The video to encode once every frame is in (an animation that asked for one), or null. */
  dev.tilefarm.schemas.JobControl.VideoPlan video;
  /**
   * For an animation whose plan is not in yet, the frame number of each frame index seen (its output's name
   * needs it, and the output is not known before the plan); empty once the plan is in.
   */
  final NavigableMap<Integer, Integer> frameNumbers = new TreeMap<>();

  JobProgress(int tileCount, int width, int height, int channels, S3Uri output, long acceptedAt, long firstSeenAt,
      long renderMs, long lastProgressAt, int doneCount, BitSet done, int gridWidth, int gridHeight,
      String uriPrefix, String uriSuffix, NavigableMap<Integer, TileRect> rects,
      NavigableMap<Integer, S3Uri> tileUris) {
    this.tileCount = tileCount;
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.output = output;
    this.acceptedAt = acceptedAt;
    this.firstSeenAt = firstSeenAt;
    this.renderMs = renderMs;
    this.lastProgressAt = lastProgressAt;
    this.doneCount = doneCount;
    this.done = done;
    this.gridWidth = gridWidth;
    this.gridHeight = gridHeight;
    this.uriPrefix = uriPrefix;
    this.uriSuffix = uriSuffix;
    this.rects = rects;
    this.tileUris = tileUris;
  }

  /**
   * A job seen for the first time, through {@code first}, which is valid on its own; nothing is done yet.
   *
   * @param output the output of the job's plan, or null if the plan is not in yet
   */
  static JobProgress start(TileResult.Done first, long now, S3Uri output) {
    String uri = first.tileUri().toString();
    // A packed tile's object is its pack, named after the pack's first tile.
    String index = Integer.toString(first.tile().index() - (first.part() == null ? 0 : first.part()));
    // The index's last occurrence: keys put the index last (tiles/JOB/7.tft), and job ids may hold digits.
    int at = uri.lastIndexOf(index);
    String prefix = at < 0 ? null : uri.substring(0, at);
    String suffix = at < 0 ? null : uri.substring(at + index.length());
    JobProgress p = new JobProgress(first.tileCount(), first.imageWidth(), first.imageHeight(), first.channels(),
        output, first.acceptedAt(), now, 0, NEVER, 0, new BitSet(), 0, 0, prefix, suffix,
        new TreeMap<>(), new TreeMap<>());
    p.frameTiles = first.frameTiles() == null ? 0 : first.frameTiles();
    p.packTiles = first.packTiles() == null ? 0 : first.packTiles();
    return p;
  }

  /** The tiles not done yet, in index order. */
  java.util.List<Integer> missing() {
    java.util.List<Integer> out = new ArrayList<>(tileCount - doneCount);
    for (int i = done.nextClearBit(0); i < tileCount; i = done.nextClearBit(i + 1)) {
      out.add(i);
    }
    return out;
  }

  boolean isDone(int index) {
    return done.get(index);
  }

  boolean complete() {
    return doneCount == tileCount;
  }

  /** Why {@code r} cannot belong to this job, or null if it can. Names what differs from the first result. */
  String conflict(TileResult.Done r) {
    if (r.tileCount() != tileCount) {
      return "tileCount " + r.tileCount() + " conflicts with " + tileCount + " from the job's first result";
    }
    if (r.imageWidth() != width || r.imageHeight() != height) {
      return "image size " + r.imageWidth() + "x" + r.imageHeight() + " conflicts with " + width + "x" + height
          + " from the job's first result";
    }
    if (r.channels() != channels) {
      return "channels " + r.channels() + " conflicts with " + channels + " from the job's first result";
    }
    int ft = r.frameTiles() == null ? 0 : r.frameTiles();
    if (ft != frameTiles) {
      return "frameTiles " + ft + " conflicts with " + frameTiles + " from the job's first result";
    }
    int pt = r.packTiles() == null ? 0 : r.packTiles();
    if (pt != packTiles) {
      return "packTiles " + pt + " conflicts with " + packTiles + " from the job's first result";
    }
    if (pt > 0 && !r.tileUri().toString().equals(patternUri(r.tile().index() - r.part()))) {
      return "tile " + r.tile().index() + " is in pack " + r.tileUri() + ", but the job's packs are "
          + patternUri(r.tile().index() - r.part());
    }
    return null;
  }

  /** Marks {@code r}'s tile done; {@code r} is valid, agrees with the job and its tile is not done yet. */
  void add(TileResult.Done r) {
    TileRect rect = r.tile();
    int index = rect.index();
    done.set(index);
    doneCount++;
    renderMs += Math.max(0, r.renderMs());
    boolean gridWasKnown = gridKnown();
    learnGrid(rect);
    if (!rect.equals(predictedRect(index))) {
      rects.put(index, rect);
    }
    if (!gridWasKnown && gridKnown()) {
      rects.entrySet().removeIf(e -> e.getValue().equals(predictedRect(e.getKey())));
    }
    if (packTiles == 0 && !r.tileUri().toString().equals(patternUri(index))) {
      tileUris.put(index, r.tileUri());
    }
  }

  /** Where tile {@code i} is stored, with its rectangle and the sha256 {@code digests} has for it. */
  private TilePart part(int i, IntFunction<String> digests) {
    TileRect rect = rects.containsKey(i) ? rects.get(i) : predictedRect(i);
    String digest = digests.apply(i);
    if (packTiles > 0) {
      int part = i % packTiles;
      return new TilePart(rect, S3Uri.parse(patternUri(i - part)), part, digest);
    }
    S3Uri uri = tileUris.containsKey(i) ? tileUris.get(i) : S3Uri.parse(patternUri(i));
    return new TilePart(rect, uri, TilePart.WHOLE, digest);
  }

  /**
   * Every tile with its rectangle, URI and checked sha256 ({@code digests}: tile index to sha256), in index
   * order; only meaningful once {@link #complete()}.
   */
  List<TilePart> parts(IntFunction<String> digests) {
    List<TilePart> parts = new ArrayList<>(tileCount);
    for (int i = done.nextSetBit(0); i >= 0; i = done.nextSetBit(i + 1)) {
      parts.add(part(i, digests));
    }
    return parts;
  }

  /** Whether frame {@code f} (from 0) of an animation has all its tiles. */
  boolean frameComplete(int f) {
    int from = f * frameTiles;
    return done.nextClearBit(from) >= from + frameTiles;
  }

  /** The assembly of frame {@code f} (from 0) of an animation, to {@code output}; meaningful once it is complete. */
  AssemblyRequest frameAssemblyRequest(String jobId, int f, S3Uri frameOutput, IntFunction<String> digests) {
    List<TilePart> parts = new ArrayList<>(frameTiles);
    for (int i = f * frameTiles; i < (f + 1) * frameTiles; i++) {
      parts.add(part(i, digests));
    }
    return new AssemblyRequest(jobId, width, height, channels, frameOutput,
        ImageFormat.forExtension(frameOutput.extension()), parts);
  }

  AssemblyRequest assemblyRequest(String jobId, IntFunction<String> digests) {
    return new AssemblyRequest(jobId, width, height, channels, output, ImageFormat.forExtension(output.extension()),
        parts(digests));
  }

  private boolean gridKnown() {
    return gridWidth > 0 && gridHeight > 0;
  }

  private void learnGrid(TileRect r) {
    // A tile that ends before the right (bottom) edge has the grid's full width (height); a tile that spans
    // the whole width (height) means one column (row). A last-column tile alone tells nothing.
    if (gridWidth == 0) {
      if (r.x() + r.width() < width) {
        gridWidth = r.width();
      } else if (r.x() == 0) {
        gridWidth = width;
      }
    }
    if (gridHeight == 0) {
      if (r.y() + r.height() < height) {
        gridHeight = r.height();
      } else if (r.y() == 0) {
        gridHeight = height;
      }
    }
  }

  /** Tile {@code index}'s rectangle in the learned row-major grid, or null if there is none. */
  private TileRect predictedRect(int index) {
    if (!gridKnown()) {
      return null;
    }
    int cols = ceilDiv(width, gridWidth);
    int rows = ceilDiv(height, gridHeight);
    // Every frame of an animation has the same grid; its tiles are numbered on from the previous frame's.
    int local = frameTiles > 0 ? index % frameTiles : index;
    int row = local / cols;
    if (row >= rows) {
      return null;
    }
    int x = (local % cols) * gridWidth;
    int y = row * gridHeight;
    return new TileRect(index, x, y, Math.min(gridWidth, width - x), Math.min(gridHeight, height - y));
  }

  private String patternUri(int index) {
    return uriPrefix == null ? null : uriPrefix + index + uriSuffix;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobProgress p && tileCount == p.tileCount && width == p.width && height == p.height
        && channels == p.channels && Objects.equals(output, p.output) && acceptedAt == p.acceptedAt
        && firstSeenAt == p.firstSeenAt && renderMs == p.renderMs && lastProgressAt == p.lastProgressAt
        && doneCount == p.doneCount && done.equals(p.done) && gridWidth == p.gridWidth
        && gridHeight == p.gridHeight && Objects.equals(uriPrefix, p.uriPrefix)
        && Objects.equals(uriSuffix, p.uriSuffix) && rects.equals(p.rects) && tileUris.equals(p.tileUris)
        && deadline == p.deadline && lastTileAt == p.lastTileAt && frameTiles == p.frameTiles
        && frameBytes == p.frameBytes && Double.compare(reported, p.reported) == 0 && packTiles == p.packTiles
        && frameNumbers.equals(p.frameNumbers) && Objects.equals(video, p.video);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tileCount, width, height, output, acceptedAt, doneCount, done);
  }

  @Override
  public String toString() {
    return "JobProgress[" + doneCount + "/" + tileCount + " tiles, " + width + "x" + height + "x" + channels
        + " -> " + output + ", grid " + gridWidth + "x" + gridHeight + ", " + rects.size() + " listed rects, "
        + tileUris.size() + " listed uris" + (packTiles > 0 ? ", packs of " + packTiles : "") + "]";
  }
}
