package dev.tilefarm.store;

import dev.tilefarm.schemas.S3Uri;

/**
 * The object is no longer the version a read was pinned to (its ETag differs: S3 answered 412 Precondition
 * Failed): it was replaced after it was first read. Retrying will not help.
 */
public final class BlobChangedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final S3Uri uri;

  public BlobChangedException(S3Uri uri, String etag, Throwable cause) {
    super(uri + " is no longer the object with ETag " + etag, cause);
    this.uri = uri;
  }

  public S3Uri uri() {
    return uri;
  }
}
