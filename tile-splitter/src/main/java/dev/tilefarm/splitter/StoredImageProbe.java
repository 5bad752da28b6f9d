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
    String etag;
    try (BlobStore.Opened in = blobs.openVersion(uri, null)) {
      // The version read here is the one the workers will read (its ETag travels in the tile tasks), so the
      // size checked here is the size they decode.
      etag = in.etag();
      // ImageIO has no WebP reader; the workers decode WebP with OpenCV, so its header is read here.
      byte[] head = in.readNBytes(30);
      Size webp = webp(head);
      if (webp != null) {
        return new Size(webp.width(), webp.height(), etag);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the header of " + uri, e);
    }
    try (InputStream in = blobs.openVersion(uri, etag); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
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

  /**
   * The size in a WebP header (RIFF container, then a lossy VP8, lossless VP8L or extended VP8X chunk), or
   * null if {@code h} does not start a WebP file.
   */
  static Size webp(byte[] h) {
    if (h.length < 30 || !ascii(h, 0, "RIFF") || !ascii(h, 8, "WEBP")) {
      return null;
    }
    if (ascii(h, 12, "VP8 ")) {
      // Lossy: a key frame's start code 9d 01 2a, then 14-bit width and height.
      if ((h[23] & 0xFF) != 0x9d || (h[24] & 0xFF) != 0x01 || (h[25] & 0xFF) != 0x2a) {
        throw new NotAnImageException("is a corrupt WebP image: no VP8 key frame");
      }
      return new Size(le16(h, 26) & 0x3FFF, le16(h, 28) & 0x3FFF);
    } else if (ascii(h, 12, "VP8L")) {
      if ((h[20] & 0xFF) != 0x2f) {
        throw new NotAnImageException("is a corrupt WebP image: bad VP8L signature");
      }
      int bits = (h[21] & 0xFF) | (h[22] & 0xFF) << 8 | (h[23] & 0xFF) << 16 | (h[24] & 0xFF) << 24;
      return new Size((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    } else if (ascii(h, 12, "VP8X")) {
      return new Size(le24(h, 24) + 1, le24(h, 27) + 1);
    }
    throw new NotAnImageException("is a WebP image of a kind the farm does not read");
  }

  private static boolean ascii(byte[] b, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (b[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int le16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static int le24(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16;
  }
}
