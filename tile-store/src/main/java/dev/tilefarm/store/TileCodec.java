package dev.tilefarm.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The intermediate tile format: cheap to write and read, unlike PNG. A 16-byte header ("TFT1", width,
 * height, channels, bit depth, 2 reserved bytes; big-endian) followed by the raw pixels of a {@link TileImage},
 * deflated at the fastest level. The bit depth byte is 0 for 8 bits (so 8-bit tiles are byte-identical to
 * those written before 16-bit samples existed, and old tiles still read), 16, or 32 for float samples.
 */
public final class TileCodec {
  private static final int MAGIC = 0x54465431; // "TFT1"
  private static final int HEADER = 16;
  /** No tile may claim more pixels than this; guards decoding against hostile headers. */
  static final long MAX_BYTES = 1L << 30;

  private TileCodec() {}

  public static byte[] encode(TileImage tile) {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(tile.pixels());
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER + tile.pixels().length / 2 + 64);
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      header.putInt(MAGIC).putInt(tile.width()).putInt(tile.height()).put((byte) tile.channels())
          .put((byte) (tile.bitDepth() == 8 ? 0 : tile.bitDepth()));
      out.write(header.array(), 0, HEADER);
      byte[] buf = new byte[64 * 1024];
      while (!deflater.finished()) {
        int n = deflater.deflate(buf);
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  public static TileImage decode(byte[] bytes) {
    if (bytes.length < HEADER) {
      throw new IllegalArgumentException("tile object is " + bytes.length + " bytes, shorter than its header");
    }
    ByteBuffer header = ByteBuffer.wrap(bytes, 0, HEADER);
    if (header.getInt() != MAGIC) {
      throw new IllegalArgumentException("not a tile object (bad magic)");
    }
    int width = header.getInt();
    int height = header.getInt();
    int channels = header.get();
    int depthByte = header.get();
    int bitDepth = depthByte == 0 ? 8 : depthByte;
    if (bitDepth != 8 && bitDepth != 16 && bitDepth != TileImage.FLOAT) {
      throw new IllegalArgumentException("tile header claims a bit depth of " + depthByte);
    }
    long size = (long) width * height * channels * (bitDepth / 8);
    if (width <= 0 || height <= 0 || channels <= 0 || size > MAX_BYTES) {
      throw new IllegalArgumentException("tile header claims " + width + "x" + height + "x" + channels);
    }
    byte[] pixels = new byte[(int) size];
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(bytes, HEADER, bytes.length - HEADER);
      int n = 0;
      while (n < pixels.length) {
        int got = inflater.inflate(pixels, n, pixels.length - n);
        if (got == 0 && (inflater.finished() || inflater.needsInput())) {
          break;
        }
        n += got;
      }
      if (n != pixels.length || !inflater.finished()) {
        throw new IllegalArgumentException("tile object is truncated or corrupt (" + n + " of " + pixels.length
            + " bytes)");
      }
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("tile object is corrupt: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
    return new TileImage(width, height, channels, bitDepth, pixels);
  }
}
