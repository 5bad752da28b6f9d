package dev.tilefarm.worker;

/**
 * A tile cannot be made, and making it again will fail the same way: the input is not a readable image,
 * its size is not the job's, its pixel format is unsupported, or the job contradicts itself. The message is
 * a complete reason that names the faulty input (for example {@code "input s3://b/k is not a readable
 * image (...)"}), fit to be reported to the job's owner as it is.
 *
 * <p>Failures that might go away on a retry (storage errors, missing objects) are never wrapped in this
 * type: they propagate as whatever the storage layer threw.
 */
public final class TileFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  public TileFailedException(String reason) {
    super(reason);
  }

  public TileFailedException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
