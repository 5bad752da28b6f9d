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

  /**
   * An 8-bit PNG of the tile: 16-bit samples keep their high byte; float samples (linear radiance, for an EXR
   * output) are clamped to [0, 1] and sRGB-encoded, a preview of what the EXR holds and no more.
   */
  static byte[] encode(TileImage tile) {
    return encode8(tile.bitDepth() == 8 ? tile : to8Bits(tile));
  }

  static TileImage to8Bits(TileImage tile) {
    int n = tile.width() * tile.height() * tile.channels();
    byte[] out = new byte[n];
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(tile.pixels());
    for (int i = 0; i < n; i++) {
      if (tile.bitDepth() == 16) {
        out[i] = tile.pixels()[i * 2];
      } else {
        double v = Math.max(0, Math.min(1, in.getFloat(i * 4)));
        double srgb = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
        out[i] = (byte) (int) (srgb * 255 + 0.5);
      }
    }
    return new TileImage(tile.width(), tile.height(), tile.channels(), out);
  }

  private static byte[] encode8(TileImage tile) {
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
