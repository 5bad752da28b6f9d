package dev.tilefarm.store;

import dev.tilefarm.schemas.S3Uri;

/** The object (or its bucket) does not exist: retrying will not help. */
public final class BlobNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BlobNotFoundException(S3Uri uri, Throwable cause) {
    super(uri + " does not exist", cause);
  }
}
