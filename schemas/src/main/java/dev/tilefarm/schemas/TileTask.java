package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A task of an accepted job, for a render worker: what every task of the job shares, and its {@link Work} (one
 * tile, a tile of one frame, a tile of one pass of an op chain, or a pack of tiny tiles). The job request as
 * accepted (with its id filled in) travels either inline in {@code job} (small jobs) or as an object at
 * {@code jobUri} that workers fetch once per job (large scenes), never both. {@code tileUri} is where the worker
 * stores the tile (or the pack, or the tile's statistics). {@code deadline} (epoch ms, absent when the job has
 * no time limit) is when the job's time is up: a worker skips a task it receives later, since the compositor
 * fails the job at that moment anyway. {@code tileCount}, {@code imageWidth} and {@code imageHeight} describe the
 * grid the task's tiles belong to: the job's (all frames of an animation) or, for a {@link Work.PassTile}, that
 * pass's.
 *
 * <p>On the wire a task carries {@code "version": 2} and its work as an object with a {@code "kind"}. Records
 * with no version are the flat shape written before (version 1: {@code tile}, {@code frame}, {@code pass},
 * {@code pack} ... side by side); they are read into this shape, so a task published by an older splitter or
 * compositor is still made (see {@code tile-task.schema.json}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TileTask(String jobId, int tileCount, int imageWidth, int imageHeight, S3Uri output, S3Uri tileUri,
    long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline, Work work) {
  /** The version of the record shape this code writes. */
  public static final int VERSION = 2;
  /** Longest ETag a task carries (S3's are 34 to 50 characters, quotes included). */
  public static final int MAX_ETAG = 1024;

  public TileTask {
    Require.nonNull("jobId", jobId, "output", output, "tileUri", tileUri, "work", work);
    if (work instanceof Work.Video) {
      if (job != null || jobUri != null) {
        throw new IllegalArgumentException("a video task carries no job: only its frames and the video's settings");
      }
    } else if ((job == null) == (jobUri == null)) {
      throw new IllegalArgumentException("a tile task carries exactly one of job and jobUri");
    }
    List<TileRect> tiles = work.tiles();
    int last = tiles.get(tiles.size() - 1).index();
    if (tileCount <= last) {
      throw new IllegalArgumentException("tile " + last + " of " + tileCount);
    }
    if (work instanceof Work.FrameTile f && f.frameTiles() != null && tileCount % f.frameTiles() != 0) {
      throw new IllegalArgumentException("frameTiles " + f.frameTiles() + " of " + tileCount + " tiles");
    }
  }

  /** The shape of the record on the wire (written with every task, so readers can tell it from the flat shape). */
  @JsonProperty("version")
  public int version() {
    return VERSION;
  }

  /** Reads either shape: version 2, or the flat version 1 (no {@code version} field). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static TileTask fromJson(ObjectNode json) {
    return TileTaskWire.read(json);
  }

  /** The task's tile: its one tile, or the first of its pack. */
  public TileRect tile() {
    return work.tile();
  }

  /** The tiles this task makes: its pack, or its one tile. */
  public List<TileRect> tiles() {
    return work.tiles();
  }

  /** "tile 3/12 of job J" (or "tiles 64-127/1024 of job J", "tile 3/12 of pass 1 of job J"), for logs and reasons. */
  public String label() {
    String tiles = switch (work) {
      case Work.Pack p -> "tiles " + p.tile().index() + "-" + p.tiles().get(p.tiles().size() - 1).index();
      case Work.Tile t -> "tile " + t.tile().index();
      case Work.FrameTile f -> "tile " + f.tile().index();
      case Work.PassTile p -> "tile " + p.tile().index();
      case Work.Video v -> "video";
    };
    return tiles + "/" + tileCount + (work instanceof Work.PassTile p ? " of pass " + p.pass() : "") + " of job "
        + jobId;
  }

  /**
   * What a task makes. Every kind has a tile ({@link #tile()}: the first, for a pack) within an image of the
   * task's {@code imageWidth x imageHeight}, in absolute image coordinates.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Work.Tile.class, name = "tile"),
      @JsonSubTypes.Type(value = Work.FrameTile.class, name = "frame-tile"),
      @JsonSubTypes.Type(value = Work.PassTile.class, name = "pass-tile"),
      @JsonSubTypes.Type(value = Work.Pack.class, name = "pack"),
      @JsonSubTypes.Type(value = Work.Video.class, name = "video")})
  public sealed interface Work permits Work.Tile, Work.FrameTile, Work.PassTile, Work.Pack, Work.Video {
    TileRect tile();

    /** The tiles made: the pack's, or the one tile. */
    default List<TileRect> tiles() {
      return List.of(tile());
    }

    /**
     * One tile of a single image: a render job's, or a process job's whose op chain runs in one pass. A
     * process job's task carries {@code inputEtag}, the ETag of the input object the splitter read the size
     * (and so the pixel limit) from: the worker reads exactly that version ({@code If-Match}), and a replaced
     * input fails the job instead of being decoded unchecked. Null for render jobs, or when the store gave none.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Tile(TileRect tile, String inputEtag) implements Work {
      public Tile {
        Objects.requireNonNull(tile, "tile");
        checkEtag(inputEtag);
      }

      /** A tile of a render job. */
      public static Tile of(TileRect tile) {
        return new Tile(tile, null);
      }
    }

    /**
     * A tile of a render job with frames, to be rendered at Blender frame {@code frame} (POV-Ray's clock
     * follows from it). An animation (one image per frame) numbers its tiles across all frames: frame {@code i}
     * (from 0) has tiles {@code i * frameTiles} to {@code (i + 1) * frameTiles - 1}, each tile rectangle within
     * its frame's image, and the task's {@code output} is the job's pattern ({@link JobRequest.Frames#outputOf}).
     * {@code frameTiles} is null for a still of one frame (a job with {@code "frame"}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FrameTile(TileRect tile, int frame, Integer frameTiles) implements Work {
      public FrameTile {
        Objects.requireNonNull(tile, "tile");
        if (frame < JobRequest.Frames.MIN_FRAME || frame > JobRequest.Frames.MAX_FRAME) {
          throw new IllegalArgumentException("frame " + frame);
        }
        if (frameTiles != null && frameTiles < 1) {
          throw new IllegalArgumentException("frameTiles " + frameTiles);
        }
      }

      /** The frame's number in the job's sequence (from 0), 0 for a still. */
      public int frameIndex() {
        return frameTiles == null ? 0 : tile.index() / frameTiles;
      }
    }

    /**
     * A tile of pass {@code pass} (from 0) of a process job whose op chain has whole-image ops and so runs in
     * passes ({@link ChainPlan}). Every pass but the last gathers statistics: the worker stores the tile's
     * partial statistics (JSON) at the task's {@code tileUri}, not pixels. {@code stats} (null in pass 0) is
     * the object holding the merged statistics of the passes before; {@code inputEtag} is as for {@link Tile}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PassTile(TileRect tile, int pass, S3Uri stats, String inputEtag) implements Work {
      public PassTile {
        Objects.requireNonNull(tile, "tile");
        if (pass < 0) {
          throw new IllegalArgumentException("pass " + pass);
        }
        if ((pass == 0) != (stats == null)) {
          throw new IllegalArgumentException("pass " + pass + (stats == null ? " needs" : " has no")
              + " merged statistics of the passes before it");
        }
        checkEtag(inputEtag);
      }
    }

    /**
     * Tiny tiles that travel together: the worker makes every tile of {@code tiles}, each exactly as it would
     * be made alone, and stores them together as one tile pack at the task's {@code tileUri}. The tiles are
     * numbered on from a multiple of {@code packTiles}, the job's pack size (the job's last pack may be shorter).
     */
    record Pack(List<TileRect> tiles, int packTiles) implements Work {
      public Pack {
        tiles = List.copyOf(tiles);
        if (packTiles < 2 || tiles.isEmpty() || tiles.size() > packTiles || tiles.get(0).index() % packTiles != 0) {
          throw new IllegalArgumentException("pack of " + tiles.size() + " tiles from tile "
              + (tiles.isEmpty() ? "-" : String.valueOf(tiles.get(0).index())) + " (pack size " + packTiles + ")");
        }
        int first = tiles.get(0).index();
        for (int i = 0; i < tiles.size(); i++) {
          if (tiles.get(i).index() != first + i) {
            throw new IllegalArgumentException("pack tile " + i + " is tile " + tiles.get(i).index() + ", not "
                + (first + i));
          }
        }
      }

      /** The first tile of the pack. */
      @Override
      public TileRect tile() {
        return tiles.get(0);
      }

      /** Where {@code tile} sits in the stored pack (from 0). */
      public int part(TileRect tile) {
        int part = tile.index() - tile().index();
        if (part < 0 || part >= tiles.size() || !tiles.get(part).equals(tile)) {
          throw new IllegalArgumentException("tile " + tile.index() + " is not in the pack from tile "
              + tile().index());
        }
        return part;
      }
    }

    /**
     * The video of an animation whose frames are all assembled, for a worker with ffmpeg (the ffmpeg lane): the
     * frame images are at the task's {@code output} pattern ({@link JobRequest.Frames#outputOf}) for the frame
     * numbers {@code firstFrame + i * frameStep}, {@code i} from 0 to {@code frames - 1}, in video order; the
     * worker encodes them as {@code video} says and stores the file at the task's {@code tileUri}. Its
     * {@code tile} is the whole frame (index 0 of a task count of 1).
     */
    record Video(TileRect tile, int firstFrame, int frameStep, int frames, JobRequest.Video video) implements Work {
      public Video {
        Objects.requireNonNull(tile, "tile");
        Objects.requireNonNull(video, "video");
        if (frames < 1 || frames > JobRequest.Frames.MAX_FRAMES || frameStep < 1) {
          throw new IllegalArgumentException("a video of " + frames + " frames, step " + frameStep);
        }
      }

      /** The frame number of the {@code i}-th video frame (from 0). */
      public int frame(int i) {
        return firstFrame + i * frameStep;
      }
    }

    private static void checkEtag(String inputEtag) {
      if (inputEtag != null && (inputEtag.isEmpty() || inputEtag.length() > MAX_ETAG
          || !inputEtag.chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
        throw new IllegalArgumentException("inputEtag must be 1 to " + MAX_ETAG + " printable ASCII characters");
      }
    }
  }
}
