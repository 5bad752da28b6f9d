package dev.tilefarm.splitter;

import dev.tilefarm.schemas.S3Uri;

/** Where a job too large to ride in every tile task is kept for the workers. */
@FunctionalInterface
interface JobSpecs {
  void put(S3Uri uri, byte[] json);
}
