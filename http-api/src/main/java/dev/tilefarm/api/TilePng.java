package dev.tilefarm.api;

import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Turns a stored tile (the farm's raw tile format) into a PNG a browser can draw. */
final class TilePng {
  private TilePng() {}

  static byte[] fromTileObject(byte[] tileObject) {
    return encode(TileCodec.decode(tileObject));
  }

  static byte[] encode(TileImage tile) {
    int type = switch (tile.channels()) {
      case 1 -> BufferedImage.TYPE_BYTE_GRAY;
      case 3 -> BufferedImage.TYPE_INT_RGB;
      default -> BufferedImage.TYPE_INT_ARGB;
    };
    BufferedImage image = new BufferedImage(tile.width(), tile.height(), type);
    byte[] px = tile.pixels();
    int c = tile.channels();
    if (c == 1) {
      image.getRaster().setDataElements(0, 0, tile.width(), tile.height(), px);
    } else {
      int[] row = new int[tile.width()];
      for (int y = 0; y < tile.height(); y++) {
        int o = y * tile.stride();
        for (int x = 0; x < tile.width(); x++, o += c) {
          int r = px[o] & 0xff;
          int g = px[o + 1] & 0xff;
          int b = px[o + 2] & 0xff;
          int a = c == 4 ? px[o + 3] & 0xff : 0xff;
          row[x] = a << 24 | r << 16 | g << 8 | b;
        }
        image.setRGB(0, y, tile.width(), 1, row, 0, tile.width());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
