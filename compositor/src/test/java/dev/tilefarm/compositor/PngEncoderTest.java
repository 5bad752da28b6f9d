package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.store.TileImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PngEncoderTest {

  /** Encodes {@code image} handing the encoder bands of random heights, as the assembler does. */
  static byte[] encode(TileImage image, long bandSeed) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, image.width(), image.height(), image.channels(), ImageAssembler.PNG_LEVEL);
    Random random = new Random(bandSeed);
    int y = 0;
    while (y < image.height()) {
      int rows = Math.min(image.height() - y, 1 + random.nextInt(40));
      png.writeRows(image.pixels(), y * image.stride(), rows);
      y += rows;
    }
    png.finish();
    return out.toByteArray();
  }

  @ParameterizedTest
  @CsvSource({"1,1,1", "1,1,4", "7,3,3", "3,7,1", "64,48,1", "64,48,3", "64,48,4", "257,130,3", "300,301,4",
      "1000,3,1"})
  void decodesToExactlyTheSourcePixels(int width, int height, int channels) throws IOException {
    TileImage source = TestImages.image(width, height, channels, width * 31L + height * 7L + channels);
    TileImage decoded = TestImages.decode(encode(source, 1));
    assertEquals(width, decoded.width());
    assertEquals(height, decoded.height());
    assertEquals(channels, decoded.channels());
    assertArrayEquals(source.pixels(), decoded.pixels());
  }

  @Test
  void sameImageGivesTheSameBytesWhateverTheBands() throws IOException {
    TileImage source = TestImages.image(300, 200, 4, 5);
    byte[] a = encode(source, 1);
    byte[] b = encode(source, 2);
    ByteArrayOutputStream rowByRow = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(rowByRow, 300, 200, 4, ImageAssembler.PNG_LEVEL);
    for (int y = 0; y < 200; y++) {
      byte[] row = new byte[300 * 4];
      System.arraycopy(source.pixels(), y * row.length, row, 0, row.length);
      png.writeRow(row, 0);
    }
    png.finish();
    assertArrayEquals(a, b);
    assertArrayEquals(a, rowByRow.toByteArray());
  }

  @Test
  void chunksAreWellFormed() throws IOException {
    // Noise does not compress, so the IDAT stream spans several fixed-size chunks.
    byte[] noise = new byte[256 * 256 * 4];
    new Random(3).nextBytes(noise);
    byte[] png = encode(new TileImage(256, 256, 4, noise), 9);
    List<String> types = new ArrayList<>();
    List<Integer> idatSizes = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(png);
    byte[] signature = new byte[8];
    in.get(signature);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, signature);
    while (in.hasRemaining()) {
      int length = in.getInt();
      byte[] type = new byte[4];
      in.get(type);
      byte[] data = new byte[length];
      in.get(data);
      CRC32 crc = new CRC32();
      crc.update(type);
      crc.update(data);
      String name = new String(type, StandardCharsets.US_ASCII);
      assertEquals((int) crc.getValue(), in.getInt(), "CRC of " + name);
      types.add(name);
      if (name.equals("IHDR")) {
        ByteBuffer h = ByteBuffer.wrap(data);
        assertEquals(256, h.getInt());
        assertEquals(256, h.getInt());
        assertEquals(8, h.get()); // bit depth
        assertEquals(6, h.get()); // RGBA
      }
      if (name.equals("IDAT")) {
        idatSizes.add(length);
      }
    }
    assertEquals("IHDR", types.get(0));
    assertEquals("IEND", types.get(types.size() - 1));
    assertTrue(idatSizes.size() > 2, "IDAT chunks: " + idatSizes);
    for (int i = 0; i < idatSizes.size() - 1; i++) {
      assertEquals(PngEncoder.IDAT_SIZE, idatSizes.get(i));
    }
  }

  @Test
  void filterIsChosenPerRow() throws Exception {
    // Every row repeats a random first row: after row 0, "Up" leaves nothing but zeros and must win.
    int w = 50;
    int h = 6;
    byte[] first = new byte[w * 3];
    new Random(4).nextBytes(first);
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      System.arraycopy(first, 0, px, y * first.length, first.length);
    }
    byte[] filters = filterTypes(encode(new TileImage(w, h, 3, px), 1), w * 3, h);
    for (int y = 1; y < h; y++) {
      assertEquals(2, filters[y], "row " + y);
    }
    // A horizontal ramp repeated down the image: "Sub" (all 1s) beats the raw ramp in row 0.
    byte[] ramp = new byte[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        ramp[y * w + x] = (byte) (x + 100);
      }
    }
    assertEquals(1, filterTypes(encode(new TileImage(w, h, 1, ramp), 1), w, h)[0]);
  }

  /** The filter type byte of each row, read back by inflating the IDAT stream. */
  private static byte[] filterTypes(byte[] png, int stride, int height) throws Exception {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.wrap(png, 8, png.length - 8);
    while (in.hasRemaining()) {
      int length = in.getInt();
      byte[] type = new byte[4];
      in.get(type);
      byte[] data = new byte[length];
      in.get(data);
      in.getInt();
      if (new String(type, StandardCharsets.US_ASCII).equals("IDAT")) {
        idat.write(data);
      }
    }
    Inflater inflater = new Inflater();
    inflater.setInput(idat.toByteArray());
    byte[] raw = new byte[(stride + 1) * height];
    assertEquals(raw.length, inflater.inflate(raw));
    assertTrue(inflater.finished());
    inflater.end();
    byte[] types = new byte[height];
    for (int y = 0; y < height; y++) {
      types[y] = raw[y * (stride + 1)];
    }
    return types;
  }

  @Test
  void refusesTooManyOrTooFewRows() throws IOException {
    PngEncoder png = new PngEncoder(new ByteArrayOutputStream(), 2, 2, 1, 6);
    png.writeRow(new byte[2], 0);
    assertThrows(IllegalStateException.class, png::finish);
    PngEncoder full = new PngEncoder(new ByteArrayOutputStream(), 2, 1, 1, 6);
    full.writeRow(new byte[2], 0);
    assertThrows(IllegalStateException.class, () -> full.writeRow(new byte[2], 0));
    assertThrows(IllegalArgumentException.class, () -> new PngEncoder(new ByteArrayOutputStream(), 2, 1, 2, 6));
  }
}
