package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import java.nio.file.Path;

/**
 * Where the assembler puts a finished image. The production sink is the blob store, which records the job that
 * wrote an object in the object's metadata ({@code x-amz-meta-tilefarm-job}).
 *
 * <p>Contract: {@link #write} stores the whole content of {@code file} at {@code output} with {@code contentType}
 * as job {@code jobId}'s, replacing any object there (a reprocessed job rewrites the same bytes), and returns only
 * once it is stored. The file belongs to the caller, who deletes it afterwards. {@link #writer} tells which job
 * wrote the object at {@code output}: the assembler never replaces an object another job wrote. Failures are
 * reported as for {@link TileSource}.
 */
@FunctionalInterface
interface ImageSink {
  /** The object metadata (x-amz-meta-) naming the job that wrote an output. */
  String JOB_METADATA = dev.tilefarm.store.JobOutputs.JOB_METADATA;

  void write(S3Uri output, Path file, String contentType, String jobId);

  /** The id of the job that wrote the object at {@code output}, or null if there is none or no job wrote it. */
  default String writer(S3Uri output) {
    return null;
  }
}
