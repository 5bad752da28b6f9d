package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

/** Images, tiles and in-memory storage for the compositor's tests. */
final class TestImages {
  private TestImages() {}

  /** Pixels that exercise every PNG filter: smooth gradients, flat areas and noise. */
  static TileImage image(int width, int height, int channels, long seed) {
    Random random = new Random(seed);
    byte[] px = new byte[width * height * channels];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < channels; c++) {
          int v;
          if (y < height / 3) {
            v = random.nextInt(256);
          } else if (y < 2 * height / 3) {
            v = (x * 3 + y * (c + 1)) & 0xff;
          } else {
            v = x < width / 2 ? 40 * c : random.nextInt(4) + 128;
          }
          px[(y * width + x) * channels + c] = (byte) v;
        }
      }
    }
    return new TileImage(width, height, channels, px);
  }

  /** Gradients: what JPEG keeps well, so a small tolerance is a real check of channel order and placement. */
  static TileImage smooth(int w, int h, int channels) {
    byte[] px = new byte[w * h * channels];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int at = (y * w + x) * channels;
        px[at] = (byte) (x * 2);
        if (channels > 1) {
          px[at + 1] = (byte) (y * 3);
          px[at + 2] = (byte) (200 - x);
        }
        if (channels == 4) {
          px[at + 3] = (byte) (x + y);
        }
      }
    }
    return new TileImage(w, h, channels, px);
  }

  /** The splitter's layout: row-major tiles of side {@code tile}, narrower in the last column and row. */
  static List<TileRect> grid(int width, int height, int tile) {
    List<TileRect> out = new ArrayList<>();
    for (int y = 0; y < height; y += tile) {
      for (int x = 0; x < width; x += tile) {
        out.add(new TileRect(out.size(), x, y, Math.min(tile, width - x), Math.min(tile, height - y)));
      }
    }
    return out;
  }

  static TileImage crop(TileImage image, TileRect r) {
    int ch = image.channels();
    byte[] px = new byte[r.width() * r.height() * ch];
    for (int y = 0; y < r.height(); y++) {
      System.arraycopy(image.pixels(), ((r.y() + y) * image.width() + r.x()) * ch, px, y * r.width() * ch,
          r.width() * ch);
    }
    return new TileImage(r.width(), r.height(), ch, px);
  }

  /** The image's samples, row-major with interleaved bands, as ImageIO decodes {@code encoded}. */
  static TileImage decode(byte[] encoded) {
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(encoded));
      if (img == null) {
        throw new AssertionError("ImageIO cannot read the image");
      }
      Raster raster = img.getRaster();
      int bands = raster.getNumBands();
      int[] samples = raster.getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
      byte[] px = new byte[samples.length];
      for (int i = 0; i < samples.length; i++) {
        px[i] = (byte) samples[i];
      }
      return new TileImage(img.getWidth(), img.getHeight(), bands, px);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Largest difference between two images' samples of the first {@code channels} channels. */
  static int maxDifference(TileImage expected, TileImage actual, int channels) {
    int max = 0;
    int n = expected.width() * expected.height();
    for (int p = 0; p < n; p++) {
      for (int c = 0; c < channels; c++) {
        int e = expected.pixels()[p * expected.channels() + c] & 0xff;
        int a = actual.pixels()[p * actual.channels() + c] & 0xff;
        max = Math.max(max, Math.abs(e - a));
      }
    }
    return max;
  }

  /** Object storage in memory: tiles to read, images written. */
  static final class MemoryStore implements TileSource, ImageSink {
    record Stored(byte[] bytes, String contentType, String jobId) {}

    final Map<S3Uri, byte[]> tiles = new ConcurrentHashMap<>();
    final Map<S3Uri, Stored> written = new ConcurrentHashMap<>();

    void putTiles(TileImage image, List<TileRect> rects, java.util.function.IntFunction<S3Uri> uri) {
      for (TileRect r : rects) {
        tiles.put(uri.apply(r.index()), TileCodec.encode(crop(image, r)));
      }
    }

    @Override
    public byte[] read(S3Uri tile) {
      byte[] bytes = tiles.get(tile);
      if (bytes == null) {
        throw new BlobNotFoundException(tile, null);
      }
      return bytes;
    }

    @Override
    public void write(S3Uri output, Path file, String contentType, String jobId) {
      try {
        written.put(output, new Stored(Files.readAllBytes(file), contentType, jobId));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String writer(S3Uri output) {
      Stored stored = written.get(output);
      return stored == null ? null : stored.jobId();
    }
  }
}
