package dev.tilefarm.splitter;

import dev.tilefarm.schemas.S3Uri;

/** Reads an input image's size from its header, without decoding its pixels. */
interface ImageProbe {
  /**
   * Width and height of an image, and the ETag of the version whose header they were read from (null if
   * the store gave none), which the workers will read.
   */
  record Size(int width, int height, String etag) {
    Size(int width, int height) {
      this(width, height, null);
    }
  }

  /**
   * The size of the image at {@code uri}.
   *
   * @throws dev.tilefarm.store.BlobNotFoundException if there is no such object
   * @throws NotAnImageException if the object is not an image the farm can read
   */
  Size probe(S3Uri uri);

  final class NotAnImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotAnImageException(String message) {
      super(message);
    }
  }
}
