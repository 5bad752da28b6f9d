package dev.tilefarm.store;

/**
 * Object storage failed. {@link #transientFault()} tells whether a retry may succeed (server errors,
 * throttling, an unreachable endpoint) or not (access denied, a bad request).
 */
public final class BlobStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean transientFault;

  public BlobStoreException(String message, boolean transientFault, Throwable cause) {
    super(message, cause);
    this.transientFault = transientFault;
  }

  public boolean transientFault() {
    return transientFault;
  }
}
