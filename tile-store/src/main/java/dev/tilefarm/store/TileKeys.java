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

  /** Where the CLI uploads a local input: content-addressed, so the same file is stored once. */
  public static S3Uri upload(String bucket, String sha256, String extension) {
    return new S3Uri(bucket, "uploads/" + sha256 + (extension.isEmpty() ? "" : "." + extension));
  }
}
