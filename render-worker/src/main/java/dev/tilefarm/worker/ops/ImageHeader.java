package dev.tilefarm.worker.ops;

import dev.tilefarm.store.WebpHeader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The size an encoded image declares in its header, read without decoding its pixels (ImageIO's readers for
 * PNG, JPEG, TIFF and BMP; the WebP header by hand, as the splitter reads it), so that a small file declaring a
 * huge image is refused before a decoder allocates for it.
 */
final class ImageHeader {
  record Size(int width, int height) {
    long pixels() {
      return (long) width * height;
    }
  }

  private ImageHeader() {}

  /** The declared size, or null if the bytes start no image in a format the farm reads. */
  static Size read(byte[] bytes) {
    Size webp = webp(bytes);
    if (webp != null) {
      return webp;
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return null;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new Size(reader.getWidth(0), reader.getHeight(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Size webp(byte[] h) {
    try {
      int[] size = WebpHeader.size(h);
      return size == null ? null : new Size(size[0], size[1]);
    } catch (IllegalArgumentException corrupt) {
      return null;
    }
  }
}
