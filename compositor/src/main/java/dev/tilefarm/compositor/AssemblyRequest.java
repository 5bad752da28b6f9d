package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.S3Uri;
import java.util.List;
import java.util.Objects;

/**
 * An image to put together: {@code width x height} pixels of {@code channels} channels, encoded as
 * {@code format} at {@code output}, from {@code tiles}, which must cover the image exactly once.
 */
record AssemblyRequest(String jobId, int width, int height, int channels, S3Uri output, ImageFormat format,
    List<TilePart> tiles) {
  AssemblyRequest {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(format, "format");
    tiles = List.copyOf(tiles);
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size " + width + "x" + height);
    }
    if (channels != 1 && channels != 3 && channels != 4) {
      throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
    }
  }
}
