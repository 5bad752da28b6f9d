package dev.tilefarm.compositor;

/**
 * The image cannot be assembled, and trying again will not change that: a tile is missing or corrupt, the
 * tiles do not cover the image, storage refused the output. {@code tile} is the index of the tile to blame,
 * or null when no single tile is.
 */
final class AssemblyFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String jobId;
  private final Integer tile;
  private final String reason;

  AssemblyFailedException(String jobId, Integer tile, String reason, Throwable cause) {
    super("assembling job " + jobId + ": " + (tile == null ? "" : "tile " + tile + ": ") + reason, cause);
    this.jobId = jobId;
    this.tile = tile;
    this.reason = reason;
  }

  String jobId() {
    return jobId;
  }

  Integer tile() {
    return tile;
  }

  /** What went wrong, without the job and tile prefix. */
  String reason() {
    return reason;
  }
}
