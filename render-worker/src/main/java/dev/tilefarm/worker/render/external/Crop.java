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
   * Request {@code r}'s tile out of the image at {@code png}, as 8-bit RGB: the renderers write an image of the
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
}
