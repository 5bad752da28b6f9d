package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One tile of an accepted job, for a render worker. The job request as accepted (with its id filled in)
 * travels either inline in {@code job} (small jobs) or as an object at {@code jobUri} that workers fetch
 * once per job (large scenes), never both. {@code tileUri} is where the worker stores the tile.
 * {@code deadline} (epoch ms, absent when the job has no time limit) is when the job's time is up: a worker
 * skips a tile it receives later, since the compositor fails the job at that moment anyway.
 *
 * <p>A job with frames gives each task its {@code frame} number. An animation (one image per frame) numbers
 * its tiles across all frames: frame {@code i} (from 0) has tiles {@code i * frameTiles} to
 * {@code (i + 1) * frameTiles - 1}, each {@code tile} rectangle within its frame's image, and {@code output} is
 * the job's pattern ({@link JobRequest.Frames#outputOf}); {@code frameTiles} is absent for a single image.
 *
 * <p>Process jobs with whole-image ops run in passes ({@link ChainPlan}): {@code pass} (absent: 0) says which,
 * and {@code stats} (absent in pass 0) is the object holding the merged statistics of the passes before it.
 * A task of a statistics pass stores the tile's partial statistics (JSON) at {@code tileUri}, not pixels.
 *
 * <p>Tiny tiles travel in packs: a task with {@code pack} makes every tile listed there ({@code tile} is the
 * first), numbered on from a multiple of {@code packTiles}, the job's pack size (the last pack may be shorter),
 * and stores them together as one tile pack at {@code tileUri}, each tile made exactly as it would be alone.
 *
 * <p>A process job's task carries {@code inputEtag}, the ETag of the input object the splitter read the size
 * (and so the pixel limit) from: the worker reads exactly that version ({@code If-Match}), and a replaced input
 * fails the job instead of being decoded unchecked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TileTask(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight,
    S3Uri output, S3Uri tileUri, long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline, Integer frame,
    Integer frameTiles, Integer pass, S3Uri stats, java.util.List<TileRect> pack, Integer packTiles,
    String inputEtag) {
  /** Longest ETag a task carries (S3's are 34 to 50 characters, quotes included). */
  public static final int MAX_ETAG = 1024;

  /** A task with no pinned input. */
  public TileTask(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight, S3Uri output,
      S3Uri tileUri, long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline, Integer frame,
      Integer frameTiles, Integer pass, S3Uri stats, java.util.List<TileRect> pack, Integer packTiles) {
    this(jobId, tile, tileCount, imageWidth, imageHeight, output, tileUri, acceptedAt, job, jobUri, deadline, frame,
        frameTiles, pass, stats, pack, packTiles, null);
  }

  /** A task of one tile. */
  public TileTask(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight, S3Uri output,
      S3Uri tileUri, long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline, Integer frame,
      Integer frameTiles, Integer pass, S3Uri stats) {
    this(jobId, tile, tileCount, imageWidth, imageHeight, output, tileUri, acceptedAt, job, jobUri, deadline, frame,
        frameTiles, pass, stats, null, null);
  }

  /** A task of a job without frames. */
  public TileTask(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight, S3Uri output,
      S3Uri tileUri, long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline) {
    this(jobId, tile, tileCount, imageWidth, imageHeight, output, tileUri, acceptedAt, job, jobUri, deadline, null,
        null);
  }

  /** A task of a job in one pass. */
  public TileTask(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight, S3Uri output,
      S3Uri tileUri, long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline, Integer frame,
      Integer frameTiles) {
    this(jobId, tile, tileCount, imageWidth, imageHeight, output, tileUri, acceptedAt, job, jobUri, deadline, frame,
        frameTiles, null, null);
  }

  public TileTask {
    if (inputEtag != null && (inputEtag.isEmpty() || inputEtag.length() > MAX_ETAG
        || !inputEtag.chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
      throw new IllegalArgumentException("inputEtag must be 1 to " + MAX_ETAG + " printable ASCII characters");
    }
    if (pass != null && pass < 0) {
      throw new IllegalArgumentException("pass " + pass);
    }
    if (frameTiles != null && (frameTiles < 1 || tileCount % frameTiles != 0 || frame == null)) {
      throw new IllegalArgumentException("frameTiles " + frameTiles + " of " + tileCount + " tiles (frame " + frame
          + ")");
    }
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tile, "tile");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(tileUri, "tileUri");
    if ((job == null) == (jobUri == null)) {
      throw new IllegalArgumentException("a tile task carries exactly one of job and jobUri");
    }
    if (tileCount <= tile.index()) {
      throw new IllegalArgumentException("tile " + tile.index() + " of " + tileCount);
    }
    if ((pack == null) != (packTiles == null)) {
      throw new IllegalArgumentException("a packed task carries both pack and packTiles");
    }
    if (pack != null) {
      pack = java.util.List.copyOf(pack);
      if (packTiles < 2 || pack.isEmpty() || pack.size() > packTiles || !pack.get(0).equals(tile)
          || tile.index() % packTiles != 0 || tile.index() + pack.size() > tileCount) {
        throw new IllegalArgumentException("pack of " + pack.size() + " tiles from tile " + tile.index()
            + " (pack size " + packTiles + ", " + tileCount + " tiles)");
      }
      for (int i = 0; i < pack.size(); i++) {
        if (pack.get(i).index() != tile.index() + i) {
          throw new IllegalArgumentException("pack tile " + i + " is tile " + pack.get(i).index() + ", not "
              + (tile.index() + i));
        }
      }
    }
  }

  /** The same task with its input pinned to the version with ETag {@code etag} (null: not pinned). */
  public TileTask withInputEtag(String etag) {
    return new TileTask(jobId, tile, tileCount, imageWidth, imageHeight, output, tileUri, acceptedAt, job, jobUri,
        deadline, frame, frameTiles, pass, stats, pack, packTiles, etag);
  }

  /** The tiles this task makes: its pack, or its one tile. */
  public java.util.List<TileRect> tiles() {
    return pack == null ? java.util.List.of(tile) : pack;
  }

  /** The pass this task belongs to (0 when absent). */
  public int passIndex() {
    return pass == null ? 0 : pass;
  }

  /** "tile 3/12 of job J" (or "tiles 64-127/1024 of job J"), for logs and reasons. */
  public String label() {
    return (pack == null ? "tile " + tile.index() : "tiles " + tile.index() + "-" + (tile.index() + pack.size() - 1))
        + "/" + tileCount + (pass == null ? "" : " of pass " + pass) + " of job " + jobId;
  }
}
