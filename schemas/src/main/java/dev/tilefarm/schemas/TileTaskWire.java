package dev.tilefarm.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The two shapes of a {@link TileTask} record on the wire. Version 2 (written since the work became a typed
 * component) carries {@code "version": 2}; a record without {@code version} is version 1, the flat shape
 * written before, in which optional fields side by side ({@code frame}, {@code pass}, {@code pack} ...) said
 * what kind of task it was. Both read into the same task.
 */
final class TileTaskWire {
  private TileTaskWire() {}

  static TileTask read(ObjectNode json) {
    JsonNode version = json.get("version");
    if (version == null) {
      return bind(json, V1.class).task();
    }
    if (!version.isIntegralNumber() || version.asInt() != TileTask.VERSION) {
      throw new IllegalArgumentException("version " + version + " is not a tile task version this reader knows ("
          + TileTask.VERSION + ", or none for version 1)");
    }
    return bind(json, V2.class).task();
  }

  private static <T> T bind(ObjectNode json, Class<T> type) {
    try {
      return Json.MAPPER.treeToValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    }
  }

  /** Version 2: the task's fields as written. */
  record V2(int version, String jobId, int tileCount, int imageWidth, int imageHeight, S3Uri output, S3Uri tileUri,
      long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline, TileTask.Work work) {
    TileTask task() {
      return new TileTask(jobId, tileCount, imageWidth, imageHeight, output, tileUri, acceptedAt, job, jobUri, deadline,
          work);
    }
  }

  /**
   * Version 1, the flat shape: one tile ({@code tile}); with {@code frame} (and {@code frameTiles} for an
   * animation) a frame's; with {@code pass} (and {@code stats} from pass 1 on) a pass's; with {@code pack} and
   * {@code packTiles} a pack starting at {@code tile}. The splitter and the compositor never wrote two of these
   * kinds in one record, and {@code inputEtag} only on a tile or a pass.
   */
  record V1(String jobId, TileRect tile, int tileCount, int imageWidth, int imageHeight, S3Uri output, S3Uri tileUri,
      long acceptedAt, ObjectNode job, S3Uri jobUri, Long deadline, Integer frame, Integer frameTiles, Integer pass,
      S3Uri stats, List<TileRect> pack, Integer packTiles, String inputEtag) {
    TileTask task() {
      if (tile == null) {
        throw new IllegalArgumentException("tile is missing");
      }
      int kinds = (frame != null || frameTiles != null ? 1 : 0) + (pass != null || stats != null ? 1 : 0)
          + (pack != null || packTiles != null ? 1 : 0);
      if (kinds > 1) {
        throw new IllegalArgumentException("a version 1 task is of a frame, of a pass or a pack, not of several");
      }
      return new TileTask(jobId, tileCount, imageWidth, imageHeight, output, tileUri, acceptedAt, job, jobUri, deadline,
          work());
    }

    private TileTask.Work work() {
      if (pack != null || packTiles != null) {
        if (pack == null || packTiles == null) {
          throw new IllegalArgumentException("a packed task carries both pack and packTiles");
        }
        if (pack.isEmpty() || !pack.get(0).equals(tile)) {
          throw new IllegalArgumentException("a pack starts with the task's tile " + tile.index());
        }
        noEtag("pack");
        return new TileTask.Work.Pack(pack, packTiles);
      }
      if (frame != null || frameTiles != null) {
        if (frame == null) {
          throw new IllegalArgumentException("frameTiles " + frameTiles + " without a frame");
        }
        noEtag("frame");
        return new TileTask.Work.FrameTile(tile, frame, frameTiles);
      }
      if (pass != null || stats != null) {
        if (pass == null) {
          throw new IllegalArgumentException("stats without a pass");
        }
        return new TileTask.Work.PassTile(tile, pass, stats, inputEtag);
      }
      return new TileTask.Work.Tile(tile, inputEtag);
    }

    private void noEtag(String kind) {
      if (inputEtag != null) {
        throw new IllegalArgumentException("inputEtag on a task of a " + kind);
      }
    }
  }
}
