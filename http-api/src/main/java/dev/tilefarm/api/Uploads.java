package dev.tilefarm.api;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How an uploaded image is taken in: its type from its Content-Type or file name, checked against its content, and
 * its size from its header. The job around it comes from the query parameters ({@link dev.tilefarm.schemas.JobQuery}).
 */
final class Uploads {
  /** Image types the farm reads, by Content-Type, to the extension its key gets. */
  static final Map<String, String> TYPES = Map.of("image/png", "png", "image/jpeg", "jpg", "image/tiff", "tiff",
      "image/bmp", "bmp", "image/x-ms-bmp", "bmp");

  private Uploads() {}

  /** The extension an upload is stored under, from its Content-Type or else its file name. */
  static String extension(String contentType, String filename) {
    if (contentType != null) {
      String type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
      String ext = TYPES.get(type);
      if (ext != null) {
        return ext;
      }
    }
    if (filename != null) {
      String name = filename.toLowerCase(Locale.ROOT);
      for (String ext : List.of("png", "jpg", "jpeg", "tif", "tiff", "bmp")) {
        if (name.endsWith("." + ext)) {
          return ext;
        }
      }
    }
    throw new BadRequest("Content-Type", "send the image as image/png, image/jpeg, image/tiff or image/bmp "
        + "(got " + contentType + "), or name it with ?filename=photo.jpg");
  }

  /** Extensions by the format names of ImageIO's readers, for the formats the farm reads. */
  private static final Map<String, String> FORMATS = Map.of("png", "png", "jpeg", "jpg", "tif", "tiff", "tiff", "tiff",
      "bmp", "bmp");

  /** An uploaded image: the extension it is stored under, from its content, and its size, from its header. */
  record Image(String ext, int width, int height) {}

  /**
   * The type and size of the image in {@code file}, read from its header (no pixel is decoded): refuses, naming
   * the body, what is not an image the farm reads or has no pixels. Its size is checked with the job
   * ({@link JobAdmission#checkUpload}).
   */
  static Image probe(Path file) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      String ext = null;
      ImageReader reader = null;
      while (ext == null && readers.hasNext()) {
        reader = readers.next();
        ext = FORMATS.get(reader.getFormatName().toLowerCase(Locale.ROOT));
      }
      if (ext == null) {
        throw new BadRequest("body", "is not an image the farm reads (PNG, JPEG, TIFF, BMP)");
      }
      int width;
      int height;
      try {
        reader.setInput(in, true, true);
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw new BadRequest("body", "is a corrupt " + reader.getFormatName() + " image: " + e.getMessage());
      } finally {
        reader.dispose();
      }
      if (width < 1 || height < 1) {
        throw new BadRequest("body", "the image has no pixels (" + width + "x" + height + ")");
      }
      return new Image(ext, width, height);
    }
  }

  /** The Content-Type an upload of this extension is stored with. */
  static String contentType(String ext) {
    return switch (ext) {
      case "jpg" -> "image/jpeg";
      case "tiff" -> "image/tiff";
      default -> "image/" + ext;
    };
  }

  /** A request that cannot be served as given: 400 with the field and the reason. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String field;

    BadRequest(String field, String reason) {
      super(reason);
      this.field = field;
    }
  }
}
