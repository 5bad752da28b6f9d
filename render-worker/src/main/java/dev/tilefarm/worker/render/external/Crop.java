package dev.tilefarm.worker.render.external;

import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Reads a renderer's PNG and cuts a tile out of it. */
public final class Crop {
  private Crop() {}

  /**
   * Request {@code r}'s tile out of the image at {@code png}, as 8-bit RGB (16-bit for a job of 16 bits, whose
   * renderer wrote a 16-bit PNG): the renderers write an image of the
   * whole frame's size, rendered only in their {@link Region}.
   */
  public static TileImage tile(Path png, RenderRequest r) throws TileFailedException {
    TileRect t = r.tile();
    String label = r.label();
    int w = t.width();
    int h = t.height();
    BufferedImage image;
    try {
      image = Files.exists(png) ? ImageIO.read(png.toFile()) : null;
    } catch (IOException e) {
      throw new TileFailedException(label + ": the renderer's image " + png.getFileName() + " is unreadable: "
          + e.getMessage(), e);
    }
    if (image == null) {
      throw new TileFailedException(label + ": the renderer wrote no readable image");
    }
    int ox = t.x();
    int oy = t.y();
    if (ox < 0 || oy < 0 || ox + w > image.getWidth() || oy + h > image.getHeight()) {
      throw new TileFailedException(label + ": the renderer's image is " + image.getWidth() + "x" + image.getHeight()
          + ", too small for the tile");
    }
    if (r.job().bitDepth() == 16) {
      return tile16(image, r, ox, oy, w, h);
    }
    byte[] out = new byte[w * h * 3];
    int i = 0;
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) {
        int rgb = image.getRGB(ox + col, oy + row);
        out[i++] = (byte) (rgb >> 16);
        out[i++] = (byte) (rgb >> 8);
        out[i++] = (byte) rgb;
      }
    }
    return new TileImage(w, h, 3, out);
  }

  /**
   * Request {@code r}'s tile out of the raw float image at {@code raw}: the whole frame as big-endian float32 RGBA,
   * rows bottom to top (as Blender holds images), of the job's width and height. The tile's samples are RGB floats.
   */
  public static TileImage floatTile(Path raw, RenderRequest r) throws TileFailedException {
    TileRect t = r.tile();
    int width = r.job().width();
    int height = r.job().height();
    long need = (long) width * height * 4 * 4;
    byte[] all;
    try {
      if (Files.size(raw) != need) {
        throw new TileFailedException(r.label() + ": the renderer's float image is " + Files.size(raw) + " bytes, not "
            + need + " (" + width + "x" + height + " RGBA floats)");
      }
      all = Files.readAllBytes(raw);
    } catch (IOException e) {
      throw new TileFailedException(r.label() + ": the renderer's float image is unreadable: " + e.getMessage(), e);
    }
    byte[] out = new byte[t.width() * t.height() * 3 * 4];
    int i = 0;
    for (int row = 0; row < t.height(); row++) {
      int from = (int) (((long) (height - 1 - t.y() - row) * width + t.x()) * 16);
      for (int col = 0; col < t.width(); col++, from += 16) {
        System.arraycopy(all, from, out, i, 12);
        i += 12;
      }
    }
    return new TileImage(t.width(), t.height(), 3, TileImage.FLOAT, out);
  }

  /** The tile's 16-bit RGB samples, big-endian; the renderer was asked for a 16-bit PNG and must have written one. */
  private static TileImage tile16(BufferedImage image, RenderRequest r, int ox, int oy, int w, int h)
      throws TileFailedException {
    java.awt.image.Raster raster = image.getRaster();
    int bands = raster.getNumBands();
    if (raster.getSampleModel().getSampleSize(0) != 16 || bands < 3) {
      throw new TileFailedException(r.label() + ": the renderer wrote a " + raster.getSampleModel().getSampleSize(0)
          + "-bit image of " + bands + " channels, not the 16-bit RGB the job asks for");
    }
    byte[] out = new byte[w * h * 3 * 2];
    int[] px = new int[bands];
    int i = 0;
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) {
        raster.getPixel(ox + col, oy + row, px);
        for (int c = 0; c < 3; c++) {
          out[i++] = (byte) (px[c] >>> 8);
          out[i++] = (byte) px[c];
        }
      }
    }
    return new TileImage(w, h, 3, 16, out);
  }
}
