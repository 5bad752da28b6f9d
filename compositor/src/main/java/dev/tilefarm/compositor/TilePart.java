package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import java.util.Objects;

/**
 * One tile of an image to assemble: where its pixels go and where they are stored: the object at {@code uri},
 * or part {@code part} of the tile pack there ({@link #WHOLE}: the object is the tile). {@code sha256} (hex) is
 * what the tile's bytes (the object, or the part) were checked to be when its result came in; the assembler
 * refuses bytes that no longer match it. Null only where nothing was checked (tests of the assembler alone).
 */
record TilePart(TileRect rect, S3Uri uri, int part, String sha256) {
  /** {@link #part} of a tile stored on its own. */
  static final int WHOLE = -1;

  TilePart {
    Objects.requireNonNull(rect, "rect");
    Objects.requireNonNull(uri, "uri");
  }

  TilePart(TileRect rect, S3Uri uri) {
    this(rect, uri, WHOLE, null);
  }

  TilePart(TileRect rect, S3Uri uri, int part) {
    this(rect, uri, part, null);
  }

  /** The same tile, with the sha256 its bytes must have. */
  TilePart checked(String digest) {
    return new TilePart(rect, uri, part, digest);
  }

  int index() {
    return rect.index();
  }

  /** "s3://b/tiles/J/7.tft", or "part 3 of s3://b/tiles/J/pack-64.tfp", for reasons. */
  String where() {
    return part == WHOLE ? uri.toString() : "part " + part + " of " + uri;
  }
}
