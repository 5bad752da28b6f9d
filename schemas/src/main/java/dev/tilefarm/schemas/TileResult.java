package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a worker reports about a tile, keyed by job id on the tile results topic. Metadata only: the
 * pixels are in object storage at {@code tileUri}. DONE and FAILED settle the tile; PROGRESS, sent while an
 * external renderer is still at work on it, is advisory; RETURNED hands a paused job's task back to the splitter.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "status")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TileResult.Done.class, name = "DONE"),
    @JsonSubTypes.Type(value = TileResult.Failed.class, name = "FAILED"),
    @JsonSubTypes.Type(value = TileResult.Progress.class, name = "PROGRESS"),
    @JsonSubTypes.Type(value = TileResult.Encoded.class, name = "ENCODED"),
    @JsonSubTypes.Type(value = TileResult.Returned.class, name = "RETURNED")})
public sealed interface TileResult permits TileResult.Done, TileResult.Failed, TileResult.Progress,
    TileResult.Encoded, TileResult.Returned {
  String jobId();

  TileRect tile();

  int tileCount();

  long acceptedAt();

  /** The renderer's log of the tile in object storage, or null (only external renderers keep one). */
  S3Uri log();

  /**
   * The tile is stored. {@code channels} is 1 (grey), 3 (RGB) or 4 (RGBA); {@code sha256} is of the stored
   * tile object. {@code frame} and {@code frameTiles} are the task's (see {@link TileTask.Work.FrameTile}),
   * absent for a job without frames. {@code pass} is set for the tiles of a process job's statistics passes (see
   * {@link ChainPlan}): their object holds the tile's partial statistics, not pixels, and {@code imageWidth x
   * imageHeight} is the size of the image that pass covers. A tile made in a pack ({@link TileTask.Work.Pack})
   * is part {@code part} (from 0) of the tile pack at {@code tileUri}, and {@code bytes} and {@code sha256} are
   * of that part; {@code packTiles} is the job's pack size, so part = tile index mod packTiles. Built from its
   * task: {@link #of}, {@link #ofPart}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Done(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight, S3Uri output,
      S3Uri tileUri, int channels, long bytes, String sha256, long renderMs, String worker, long acceptedAt,
      Integer frame, Integer frameTiles, S3Uri log, Integer pass, Integer part, Integer packTiles)
      implements TileResult {
    public Done {
      if ((part == null) != (packTiles == null)) {
        throw new IllegalArgumentException("a packed tile's result carries both part and packTiles");
      }
      if (part != null && tile != null
          && (packTiles < 2 || part < 0 || part >= packTiles || tile.index() % packTiles != part)) {
        throw new IllegalArgumentException("tile " + tile.index() + " cannot be part " + part + " of a pack of "
            + packTiles);
      }
    }

    /**
     * The result of the task's one tile, stored as {@code stored} says. For a task of a pass, {@code pass} is
     * set when the worker stored statistics ({@link Stored#statistics}), not when it stored the last pass's
     * pixels. A pack's tiles are reported one by one ({@link #ofPart}).
     */
    public static Done of(TileTask task, Stored stored) {
      Integer frame = null;
      Integer frameTiles = null;
      Integer pass = null;
      switch (task.work()) {
        case TileTask.Work.Tile t -> { }
        case TileTask.Work.FrameTile f -> {
          frame = f.frame();
          frameTiles = f.frameTiles();
        }
        case TileTask.Work.PassTile p -> pass = stored.statistics() ? p.pass() : null;
        case TileTask.Work.Pack p -> throw new IllegalArgumentException(task.label()
            + ": a pack's tiles are reported one by one (Done.ofPart)");
        case TileTask.Work.Video v -> throw new IllegalArgumentException(task.label()
            + ": a video is reported ENCODED (Encoded.of)");
      }
      if (stored.statistics() && pass == null) {
        throw new IllegalArgumentException(task.label() + ": only a task of a pass stores statistics");
      }
      return new Done(task.jobId(), task.tile(), task.tileCount(), task.imageWidth(), task.imageHeight(),
          task.output(), task.tileUri(), stored.channels(), stored.bytes(), stored.sha256(), stored.renderMs(),
          stored.worker(), task.acceptedAt(), frame, frameTiles, stored.log(), pass, null, null);
    }

    /** The result of {@code tile}, one tile of the task's pack, stored as part of the pack at the task's tileUri. */
    public static Done ofPart(TileTask task, TileRect tile, Stored stored) {
      if (!(task.work() instanceof TileTask.Work.Pack pack)) {
        throw new IllegalArgumentException(task.label() + " is no pack");
      }
      if (stored.statistics()) {
        throw new IllegalArgumentException(task.label() + ": a pack holds pixels, not statistics");
      }
      pack.part(tile);
      return new Done(task.jobId(), tile, task.tileCount(), task.imageWidth(), task.imageHeight(), task.output(),
          task.tileUri(), stored.channels(), stored.bytes(), stored.sha256(), stored.renderMs(), stored.worker(),
          task.acceptedAt(), null, null, stored.log(), null, tile.index() % pack.packTiles(), pack.packTiles());
    }
  }

  /**
   * What a worker stored for a tile (or for one tile of a pack), to report with {@link Done#of}: the stored
   * object's {@code bytes} and {@code sha256} (of the pack's part, for a tile of a pack), the image's
   * {@code channels} (1 for statistics), how long making it took, which worker made it, and the renderer's log
   * ({@code null}: none kept). {@code statistics} is true when the object holds a pass's partial statistics
   * instead of pixels.
   */
  record Stored(int channels, long bytes, String sha256, long renderMs, String worker, S3Uri log,
      boolean statistics) {
    public Stored {
      if (channels != 1 && channels != 3 && channels != 4) {
        throw new IllegalArgumentException("channels " + channels);
      }
      java.util.Objects.requireNonNull(sha256, "sha256");
      java.util.Objects.requireNonNull(worker, "worker");
    }

    /** Pixels of {@code channels} channels. */
    public static Stored pixels(int channels, long bytes, String sha256, long renderMs, String worker, S3Uri log) {
      return new Stored(channels, bytes, sha256, renderMs, worker, log, false);
    }

    /** A pass's partial statistics of the tile (JSON). */
    public static Stored statistics(long bytes, String sha256, long renderMs, String worker) {
      return new Stored(1, bytes, sha256, renderMs, worker, null, true);
    }
  }

  /**
   * The video of an animation ({@link TileTask.Work.Video}) is stored at {@code video}: {@code bytes} long, with
   * SHA-256 {@code sha256}, encoded by {@code worker} in {@code encodeMs}; {@code log} is ffmpeg's output.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Encoded(String jobId, TileRect tile, int tileCount, long acceptedAt, S3Uri video, String format, int frames,
      long bytes, String sha256, long encodeMs, String worker, S3Uri log) implements TileResult {
    public Encoded {
      java.util.Objects.requireNonNull(video, "video");
      java.util.Objects.requireNonNull(sha256, "sha256");
    }

    /** The result of a video task. */
    public static Encoded of(TileTask task, long bytes, String sha256, long encodeMs, String worker, S3Uri log) {
      if (!(task.work() instanceof TileTask.Work.Video v)) {
        throw new IllegalArgumentException(task.label() + " is no video task");
      }
      return new Encoded(task.jobId(), task.tile(), task.tileCount(), task.acceptedAt(), task.tileUri(),
          v.video().format(), v.frames(), bytes, sha256, encodeMs, worker, log);
    }
  }

  /** The tile cannot be made; {@code reason} says why, and {@code log}, when present, holds the renderer's output. */
  record Failed(String jobId, TileRect tile, int tileCount, String reason, String worker, long acceptedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) S3Uri log) implements TileResult {
    public Failed(String jobId, TileRect tile, int tileCount, String reason, String worker, long acceptedAt) {
      this(jobId, tile, tileCount, reason, worker, acceptedAt, null);
    }

    /** The task cannot be made ({@code log}: the renderer's output, or null); reported under the task's tile. */
    public static Failed of(TileTask task, String reason, String worker, S3Uri log) {
      return new Failed(task.jobId(), task.tile(), task.tileCount(), reason, worker, task.acceptedAt(), log);
    }
  }

  /**
   * The tile is being made and is {@code fraction} (0 to 1) done, as its renderer reports it. Sent by workers
   * running an external renderer (povray, blender), at most about once a second per tile and only when the
   * fraction rose, without waiting for the broker: one may be lost, and the tile's DONE or FAILED, from the
   * same worker, comes after it on the same partition.
   */
  record Progress(String jobId, TileRect tile, int tileCount, double fraction, String worker, long acceptedAt)
      implements TileResult {
    public Progress {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("fraction must be from 0 to 1, got " + fraction);
      }
    }

    /** None: the renderer's log is kept once the tile is DONE or FAILED. */
    @Override
    public S3Uri log() {
      return null;
    }
  }

  /**
   * A worker took {@code task} while its job was paused and did not make it: the splitter that released it puts it
   * back in the job's queue, to release it again (first) when the job is resumed. Settles nothing for the
   * compositor. Only the tasks the splitter releases are handed back ({@link #returnable}); {@code jobId},
   * {@code tile}, {@code tileCount} and {@code acceptedAt} are the task's, repeated for readers that look at those
   * alone.
   */
  record Returned(String jobId, TileRect tile, int tileCount, long acceptedAt, String worker, TileTask task)
      implements TileResult {
    public Returned {
      java.util.Objects.requireNonNull(task, "task");
      java.util.Objects.requireNonNull(worker, "worker");
      if (!task.jobId().equals(jobId) || !task.tile().equals(tile) || task.tileCount() != tileCount
          || task.acceptedAt() != acceptedAt) {
        throw new IllegalArgumentException("a returned task's jobId, tile, tileCount and acceptedAt are its task's");
      }
      if (!returnable(task)) {
        throw new IllegalArgumentException(task.label() + " is not the splitter's to take back");
      }
    }

    /** {@code task} handed back by {@code worker}. */
    public static Returned of(TileTask task, String worker) {
      return new Returned(task.jobId(), task.tile(), task.tileCount(), task.acceptedAt(), worker, task);
    }

    /**
     * Whether the splitter released {@code task} and so can take it back: any task but a later pass of an op chain
     * and a video, which the compositor releases.
     */
    public static boolean returnable(TileTask task) {
      return switch (task.work()) {
        case TileTask.Work.PassTile p -> p.pass() == 0;
        case TileTask.Work.Video v -> false;
        case TileTask.Work.Tile t -> true;
        case TileTask.Work.FrameTile f -> true;
        case TileTask.Work.Pack p -> true;
      };
    }

    /** None: nothing was made. */
    @Override
    public S3Uri log() {
      return null;
    }
  }
}
