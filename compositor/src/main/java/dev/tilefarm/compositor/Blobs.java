package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;

/**
 * The small objects the compositor reads and writes besides tiles and images: statistics of process jobs'
 * passes and analysis reports. {@code get} throws {@code BlobNotFoundException} for a missing object and
 * {@code BlobStoreException} for a storage fault.
 */
interface Blobs {
  byte[] get(S3Uri uri);

  void put(S3Uri uri, byte[] bytes, String contentType);

  /** Whether the object exists. */
  boolean exists(S3Uri uri);
}
