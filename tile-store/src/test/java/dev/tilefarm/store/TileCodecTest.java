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
  void aBufferOfTheWrongLengthOrDepthIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TileImage(4, 2, 3, 16, new byte[24]));
    assertThrows(IllegalArgumentException.class, () -> new TileImage(4, 2, 3, 12, new byte[48]));
    byte[] bad = TileCodec.encode(new TileImage(1, 1, 1, new byte[1]));
    bad[13] = 9;
    assertThrows(IllegalArgumentException.class, () -> TileCodec.decode(bad));
  }
}
