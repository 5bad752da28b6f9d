package dev.tilefarm.splitter;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.WebpHeader;
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
    String etag;
    try (BlobStore.Opened in = blobs.openVersion(uri, null)) {
      // The version read here is the one the workers will read (its ETag travels in the tile tasks), so the
      // size checked here is the size they decode.
      etag = in.etag();
      // ImageIO has no WebP reader; the workers decode WebP with OpenCV, so its header is read here.
      byte[] head = in.stream().readNBytes(WebpHeader.LENGTH);
      Size webp = webp(head);
      if (webp != null) {
        return new Size(webp.width(), webp.height(), etag);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the header of " + uri, e);
    }
    try (InputStream in = blobs.openVersion(uri, etag).stream();
        ImageInputStream iis = ImageIO.createImageInputStream(in)) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new NotAnImageException("is not an image in a format the farm reads (PNG, JPEG, TIFF, BMP, WebP)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(iis, true, true);
        return new Size(reader.getWidth(0), reader.getHeight(0), etag);
      } catch (IOException | RuntimeException e) {
        throw new NotAnImageException("is a corrupt " + reader.getFormatName() + " image: " + e.getMessage());
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the header of " + uri, e);
    }
  }

  /** The size in a WebP header ({@link WebpHeader}), or null if {@code h} does not start a WebP file. */
  static Size webp(byte[] h) {
    try {
      int[] size = WebpHeader.size(h);
      return size == null ? null : new Size(size[0], size[1]);
    } catch (IllegalArgumentException e) {
      throw new NotAnImageException(e.getMessage());
    }
  }
}
