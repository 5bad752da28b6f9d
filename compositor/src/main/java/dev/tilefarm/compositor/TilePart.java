package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import java.util.Objects;

/** One tile of an image to assemble: where its pixels go and where they are stored. */
record TilePart(TileRect rect, S3Uri uri) {
  TilePart {
    Objects.requireNonNull(rect, "rect");
    Objects.requireNonNull(uri, "uri");
  }

  int index() {
    return rect.index();
  }
}
