package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class TileCodecTest {
  private static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7 + i / 5);
    }
    return b;
  }

  @Test
  void eightBitTilesAreByteIdenticalToTheFormatBefore16BitSamples() {
    TileImage tile = new TileImage(5, 3, 3, pattern(45));
    // The format as it was: header with three zero reserved bytes, then the pixels deflated at BEST_SPEED.
    ByteBuffer header = ByteBuffer.allocate(16).putInt(0x54465431).putInt(5).putInt(3).put((byte) 3);
    Deflater d = new Deflater(Deflater.BEST_SPEED);
    d.setInput(tile.pixels());
    d.finish();
    ByteArrayOutputStream old = new ByteArrayOutputStream();
    old.writeBytes(header.array());
    byte[] buf = new byte[1024];
    while (!d.finished()) {
      old.write(buf, 0, d.deflate(buf));
    }
    d.end();
    assertArrayEquals(old.toByteArray(), TileCodec.encode(tile));
    assertEquals(8, TileCodec.decode(old.toByteArray()).bitDepth());
  }

  @Test
  void sixteenBitTilesRoundTrip() {
    TileImage tile = new TileImage(4, 2, 3, 16, pattern(48));
    TileImage back = TileCodec.decode(TileCodec.encode(tile));
    assertEquals(16, back.bitDepth());
    assertEquals(4 * 3 * 2, back.stride());
    assertArrayEquals(tile.pixels(), back.pixels());
  }

  @Test
  void floatTilesRoundTripEveryValue() {
    float[] values = {0f, 1f, 0.5f, 1e-8f, 65504f, 1e6f, Float.MIN_VALUE};
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 3 * 4);
    for (float v : values) {
      b.putFloat(v).putFloat(-v).putFloat(v * 3);
    }
    TileImage tile = new TileImage(values.length, 1, 3, TileImage.FLOAT, b.array());
    TileImage back = TileCodec.decode(TileCodec.encode(tile));
    assertEquals(TileImage.FLOAT, back.bitDepth());
    assertEquals(values.length * 3 * 4, back.stride());
    java.nio.ByteBuffer r = java.nio.ByteBuffer.wrap(back.pixels());
    for (float v : values) {
      assertEquals(v, r.getFloat());
      assertEquals(-v, r.getFloat());
      assertEquals(v * 3, r.getFloat());
    }
  }

  @Test
  void aBufferOfTheWrongLengthOrDepthIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TileImage(4, 2, 3, 16, new byte[24]));
    assertThrows(IllegalArgumentException.class, () -> new TileImage(4, 2, 3, 12, new byte[48]));
    byte[] bad = TileCodec.encode(new TileImage(1, 1, 1, new byte[1]));
    bad[13] = 9;
    assertThrows(IllegalArgumentException.class, () -> TileCodec.decode(bad));
  }
}
