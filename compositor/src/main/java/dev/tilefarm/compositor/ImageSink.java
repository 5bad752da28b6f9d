package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import java.nio.file.Path;

/**
 * Where the assembler puts a finished image. The production sink is {@code BlobStore::putFile}.
 *
 * <p>Contract: stores the whole content of {@code file} at {@code output} with {@code contentType},
 * replacing any object there (a reprocessed job rewrites the same bytes), and returns only once it is
 * stored. The file belongs to the caller, who deletes it afterwards. Failures are reported as for
 * {@link TileSource}.
 */
@FunctionalInterface
interface ImageSink {
  void write(S3Uri output, Path file, String contentType);
}
