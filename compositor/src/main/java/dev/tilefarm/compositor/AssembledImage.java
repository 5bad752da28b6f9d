package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.S3Uri;

/** A stored image: {@code sha256} (lower-case hex) and {@code bytes} are of the object written to {@code output}. */
record AssembledImage(S3Uri output, ImageFormat format, String sha256, long bytes, int width, int height,
    int tiles) {}
