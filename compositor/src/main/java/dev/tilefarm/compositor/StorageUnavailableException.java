package dev.tilefarm.compositor;

/**
 * Object storage failed in a way that may pass (a server error, throttling, an unreachable endpoint). The
 * Kafka edge lets it abort the transaction so the record is processed again; see
 * {@link StreamsErrorPolicy}.
 */
final class StorageUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
