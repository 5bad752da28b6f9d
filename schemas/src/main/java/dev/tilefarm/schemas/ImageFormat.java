package dev.tilefarm.schemas;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The encodings of a finished image; an output key's extension chooses one. Which jobs may write which format
 * (EXR only from float renders, WebP only from process jobs) is {@link JobCodec}'s to check.
 */
public enum ImageFormat {
  PNG("image/png", "png"),
  JPEG("image/jpeg", "jpg", "jpeg"),
  /** 8 or 16 bits a sample. */
  TIFF("image/tiff", "tif", "tiff"),
  /** OpenEXR: half-float RGB, scanline, ZIP-compressed; from float (32-bit) tiles only. */
  EXR("image/x-exr", "exr"),
  /** Lossless WebP, 8 bits a sample. */
  WEBP("image/webp", "webp");

  private final String contentType;
  private final String[] extensions;

  ImageFormat(String contentType, String... extensions) {
    this.contentType = contentType;
    this.extensions = extensions;
  }

  public String extension() {
    return extensions[0];
  }

  /** The MIME type an object of this format is stored and served with. */
  public String contentType() {
    return contentType;
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
        + supported() + ")");
  }

  /** Every extension, as ".png, .jpg, ...". */
  public static String supported() {
    return Arrays.stream(values()).flatMap(f -> Arrays.stream(f.extensions)).map(e -> "." + e)
        .collect(Collectors.joining(", "));
  }
}
