package dev.tilefarm.store;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.S3Uri;

/**
 * The farm's object keys, fixed by job and tile so that a retried tile overwrites itself with the same
 * bytes and nothing needs to be looked up.
 */
public final class TileKeys {
  private TileKeys() {}

  public static S3Uri tile(String bucket, String jobId, int index) {
    return new S3Uri(bucket, "tiles/" + jobId + "/" + index + ".tft");
  }

  /**
   * Where a worker stores a pack of a job's tiles ({@link TilePack}) that starts with tile {@code first}: in the
   * job's tile folder, so the clean-up of tiles takes it too.
   */
  public static S3Uri pack(String bucket, String jobId, int first) {
    return new S3Uri(bucket, "tiles/" + jobId + "/pack-" + first + ".tfp");
  }

  /** The folder of a job's tiles, for clean-up. */
  public static String tilePrefix(String jobId) {
    return "tiles/" + jobId + "/";
  }

  /** Where the splitter keeps a job request too large to travel inside every tile task. */
  public static S3Uri jobSpec(String bucket, String jobId) {
    return new S3Uri(bucket, "jobs/" + jobId + ".json");
  }

  public static S3Uri defaultOutput(String bucket, String jobId) {
    return new S3Uri(bucket, "outputs/" + jobId + "." + ImageFormat.PNG.extension());
  }

  /** The default output pattern of an animation: one PNG per frame, {@code ####} the frame number. */
  public static S3Uri defaultFrameOutput(String bucket, String jobId) {
    return new S3Uri(bucket, "outputs/" + jobId + "/frame-####." + ImageFormat.PNG.extension());
  }

  /** Where a worker keeps the renderer's log of a tile (kept after the job, unlike the tiles). */
  public static S3Uri tileLog(String bucket, String jobId, int index) {
    return new S3Uri(bucket, "logs/" + jobId + "/" + index + ".log");
  }

  /** The folder of a job's renderer logs. */
  public static S3Uri logFolder(String bucket, String jobId) {
    return new S3Uri(bucket, "logs/" + jobId + "/");
  }

  /**
   * Where a worker stores a tile's partial statistics in a statistics pass of a process job (JSON). Under the
   * job's tile folder, so the clean-up of tiles takes them too.
   */
  public static S3Uri stats(String bucket, String jobId, int pass, int index) {
    return new S3Uri(bucket, "tiles/" + jobId + "/pass-" + pass + "/" + index + ".json");
  }

  /** Where the compositor stores the merged statistics of a job's passes up to {@code pass} (JSON). */
  public static S3Uri mergedStats(String bucket, String jobId, int pass) {
    return new S3Uri(bucket, "tiles/" + jobId + "/pass-" + pass + "/merged.json");
  }

  /** Where a worker stores the partial analysis report of a tile (JSON), beside the tile. */
  public static S3Uri reportPartial(String bucket, String jobId, int index) {
    return new S3Uri(bucket, "tiles/" + jobId + "/" + index + ".report.json");
  }

  /** The analysis report of a job, beside its output: {@code photo.png} gets {@code photo.report.json}. */
  public static S3Uri report(S3Uri output) {
    String key = output.key();
    int slash = key.lastIndexOf('/');
    int dot = key.lastIndexOf('.');
    String base = dot > slash ? key.substring(0, dot) : key;
    return new S3Uri(output.bucket(), base + ".report.json");
  }

  /** Where the CLI uploads a local input: content-addressed, so the same file is stored once. */
  public static S3Uri upload(String bucket, String sha256, String extension) {
    return new S3Uri(bucket, "uploads/" + sha256 + (extension.isEmpty() ? "" : "." + extension));
  }
}
