package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import java.util.function.Function;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Makes tiles of process jobs: a tile is the job's op chain applied to its input, cut to the tile, with
 * bytes equal to those the same OpenCV calls give on the whole image. Thread-safe.
 *
 * <p>Each tile is computed on its own copy of the input region it depends on: the tile grown by the job's
 * halo (the sum of the ops' halos) on every side, clipped to the image. At the image's true edges the region
 * edge is the image edge, so OpenCV's border handling is the whole image's; at an interior cut the border
 * handling corrupts only pixels within the halo of the cut, which the crop discards.
 */
public final class TileProcessor {
  static {
    OpenCv.load();
  }

  private final InputCache inputs;

  /**
   * @param fetchInput reads an input object whole; what it throws propagates out of {@link #process}
   *     unchanged
   * @param cacheBytes bound on decoded input pixels kept between tiles
   */
  public TileProcessor(Function<S3Uri, byte[]> fetchInput, long cacheBytes) {
    this.inputs = new InputCache(fetchInput, cacheBytes);
  }

  /**
   * The pixels of {@code tile}: grey, RGB or RGBA as the op chain leaves the input's channels, in the
   * tile's rows top to bottom.
   *
   * @throws TileFailedException if the input is not a readable image of {@code imageWidth x imageHeight}
   *     pixels in a supported format
   */
  public TileImage process(JobRequest.Process job, TileRect tile, int imageWidth, int imageHeight)
      throws TileFailedException {
    DecodedImage input = inputs.get(job.id(), job.input());
    if (input.width() != imageWidth || input.height() != imageHeight) {
      throw new TileFailedException("input " + job.input() + " is " + input.width() + "x" + input.height()
          + " but job " + job.id() + " was planned for " + imageWidth + "x" + imageHeight
          + " (was the object replaced after the job was accepted?)");
    }
    int halo = job.halo();
    int x0 = Math.max(0, tile.x() - halo);
    int y0 = Math.max(0, tile.y() - halo);
    int x1 = (int) Math.min(imageWidth, (long) tile.x() + tile.width() + halo);
    int y1 = (int) Math.min(imageHeight, (long) tile.y() + tile.height() + halo);

    Mat region = copyRegion(input, x0, y0, x1 - x0, y1 - y0);
    Mat result = OpChain.apply(job.ops(), region);
    Mat crop = null;
    try {
      int channels = result.channels();
      if (channels != job.outputChannels(input.channels())) {
        throw new IllegalStateException("op chain of job " + job.id() + " left " + channels + " channels, expected "
            + job.outputChannels(input.channels()));
      }
      crop = result.submat(tile.y() - y0, tile.y() - y0 + tile.height(), tile.x() - x0, tile.x() - x0 + tile.width());
      byte[] pixels = new byte[tile.width() * tile.height() * channels];
      crop.get(0, 0, pixels);
      swapRedAndBlue(pixels, channels);
      return new TileImage(tile.width(), tile.height(), channels, pixels);
    } finally {
      if (crop != null) {
        crop.release();
      }
      result.release();
    }
  }

  /** A new, continuous Mat holding the given rectangle of the image. */
  private static Mat copyRegion(DecodedImage image, int x, int y, int width, int height) {
    int channels = image.channels();
    Mat region = new Mat(height, width, CvType.CV_8UC(channels));
    for (int row = 0; row < height; row++) {
      region.put(row, 0, image.rows()[y + row], x * channels, width * channels);
    }
    return region;
  }

  /** OpenCV's BGR(A) order to the tile's RGB(A), in place; grey needs nothing. */
  private static void swapRedAndBlue(byte[] pixels, int channels) {
    if (channels < 3) {
      return;
    }
    for (int i = 0; i < pixels.length; i += channels) {
      byte blue = pixels[i];
      pixels[i] = pixels[i + 2];
      pixels[i + 2] = blue;
    }
  }
}
