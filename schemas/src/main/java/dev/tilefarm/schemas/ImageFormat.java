package dev.tilefarm.schemas;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The encodings of a finished image; an output key's extension chooses one. */
public enum ImageFormat {
  PNG("png"),
  JPEG("jpg", "jpeg");

  private final String[] extensions;

  ImageFormat(String... extensions) {
    this.extensions = extensions;
  }

  public String extension() {
    return extensions[0];
  }

  /** The format for an extension (case-insensitive), or an exception naming the ones supported. */
  public static ImageFormat forExtension(String ext) {
    for (ImageFormat f : values()) {
      for (String e : f.extensions) {
        if (e.equalsIgnoreCase(ext)) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException("extension '." + ext + "' is not a supported image format (supported: "
        + Arrays.stream(values()).flatMap(f -> Arrays.stream(f.extensions)).map(e -> "." + e)
            .collect(Collectors.joining(", ")) + ")");
  }
}
