package dev.tilefarm.splitter;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Probes images in object storage with ImageIO's readers, which read just the header: a huge or hostile
 * image costs a few kilobytes of transfer before the pixel limit refuses it.
 */
final class StoredImageProbe implements ImageProbe {
  private final BlobStore blobs;

  StoredImageProbe(BlobStore blobs) {
    this.blobs = blobs;
  }

  @Override
  public Size probe(S3Uri uri) {
    try (InputStream in = blobs.open(uri); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new NotAnImageException("is not an image in a format the farm reads (PNG, JPEG, TIFF, BMP, GIF)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(iis, true, true);
        return new Size(reader.getWidth(0), reader.getHeight(0));
      } catch (IOException | RuntimeException e) {
        throw new NotAnImageException("is a corrupt " + reader.getFormatName() + " image: " + e.getMessage());
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the header of " + uri, e);
    }
  }
}
