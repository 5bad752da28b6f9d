package dev.tilefarm.compositor;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;

/**
 * A streaming OpenEXR encoder: single-part scanline images of half-float channels (Y for grey, R, G, B, and A
 * for RGBA), ZIP-compressed in blocks of {@value #LINES} lines, increasing Y, as the OpenEXR 2 file layout
 * describes it. The caller writes the {@code height} rows top to bottom, each exactly {@code width * channels * 4}
 * bytes: big-endian IEEE floats (a float {@code TileImage}'s rows), pixels left to right with interleaved
 * channels; then calls {@link #finish()}. Floats become halves by round-to-nearest-even ({@link
 * Float#floatToFloat16}); beyond 65504 they are infinite, as OpenEXR's own conversion makes them.
 *
 * <p>The offset table precedes the blocks, so compressed blocks go to a scratch file until the last row is in,
 * then the header, table and blocks are written to the output; memory is one block of rows.
 *
 * <p>Hand-written because no library fits: OpenCV's EXR codec (in the farm's OpenCV build) is disabled unless
 * the process environment sets OPENCV_IO_ENABLE_OPENEXR before start, and needs the whole image in memory;
 * no Java library on Maven Central writes EXR. Its files are checked by OpenEXR's own tools (exrheader, exrcheck)
 * and read back by OpenCV's OpenEXR decoder in the tests.
 */
final class ExrEncoder {
  /** Scanlines per ZIP_COMPRESSION block, fixed by the format. */
  static final int LINES = 16;
  private static final int ZIP_COMPRESSION = 3;
  private static final int HALF = 1;

  private final OutputStream out;
  private final Path scratch;
  private final OutputStream blocks;
  private final int width;
  private final int height;
  private final int channels;
  /** For each channel in the file's (alphabetical) order, its index in an interleaved pixel. */
  private final int[] source;
  private final String[] names;
  private final long[] offsets;
  /** One block of rows, as the file lays it out: per line, per channel, width halves, little-endian. */
  private final byte[] block;
  private final byte[] shuffled;
  private final byte[] packed;
  private final Deflater deflater = new Deflater(6);
  private long written;
  private int rows;
  private int inBlock;

  /** Starts an image; compressed blocks wait in {@code scratch} (created here, deleted by {@link #finish}). */
  ExrEncoder(OutputStream out, Path scratch, int width, int height, int channels) throws IOException {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size " + width + "x" + height);
    }
    this.names = switch (channels) {
      case 1 -> new String[] {"Y"};
      case 3 -> new String[] {"B", "G", "R"};
      case 4 -> new String[] {"A", "B", "G", "R"};
      default -> throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
    };
    this.source = switch (channels) {
      case 1 -> new int[] {0};
      case 3 -> new int[] {2, 1, 0};
      default -> new int[] {3, 2, 1, 0};
    };
    this.out = out;
    this.scratch = scratch;
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.offsets = new long[(height + LINES - 1) / LINES];
    int blockBytes = Math.multiplyExact(Math.multiplyExact(width, channels * 2), LINES);
    this.block = new byte[blockBytes];
    this.shuffled = new byte[blockBytes];
    this.packed = new byte[blockBytes + blockBytes / 100 + 64];
    this.blocks = new BufferedOutputStream(Files.newOutputStream(scratch), 1 << 16);
  }

  /** Adds the next row (see the class comment for its layout). */
  void writeRow(byte[] row) throws IOException {
    if (row.length != width * channels * 4) {
      throw new IllegalArgumentException("row is " + row.length + " bytes; expected " + width * channels * 4);
    }
    if (rows == height) {
      throw new IllegalStateException("all " + height + " rows are already written");
    }
    ByteBuffer floats = ByteBuffer.wrap(row);
    int at = inBlock * width * channels * 2;
    for (int c = 0; c < channels; c++) {
      int from = source[c] * 4;
      for (int x = 0; x < width; x++, at += 2) {
        short h = Float.floatToFloat16(floats.getFloat(from + x * channels * 4));
        block[at] = (byte) h;
        block[at + 1] = (byte) (h >>> 8);
      }
    }
    rows++;
    inBlock++;
    if (inBlock == LINES || rows == height) {
      flushBlock();
    }
  }

  private void flushBlock() throws IOException {
    int size = inBlock * width * channels * 2;
    // OpenEXR's ZIP: bytes split into even- and odd-indexed halves, then each byte replaced by its difference
    // to the one before (plus 128), then zlib.
    int half = (size + 1) / 2;
    for (int i = 0, t1 = 0, t2 = half; i < size; i++) {
      if ((i & 1) == 0) {
        shuffled[t1++] = block[i];
      } else {
        shuffled[t2++] = block[i];
      }
    }
    int p = shuffled[0] & 0xff;
    for (int i = 1; i < size; i++) {
      int v = shuffled[i] & 0xff;
      shuffled[i] = (byte) (v - p + 128 + 256);
      p = v;
    }
    deflater.reset();
    deflater.setInput(shuffled, 0, size);
    deflater.finish();
    int n = 0;
    while (!deflater.finished() && n < packed.length) {
      n += deflater.deflate(packed, n, packed.length - n);
    }
    boolean compressed = deflater.finished() && n < size;
    ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    head.putInt((rows - inBlock)).putInt(compressed ? n : size);
    offsets[(rows - inBlock) / LINES] = written;
    blocks.write(head.array());
    // A block that does not shrink is stored raw, as the format wants (readers tell by its size).
    blocks.write(compressed ? packed : block, 0, compressed ? n : size);
    written += 8 + (compressed ? n : size);
    inBlock = 0;
  }

  /** Writes the header, the offset table and the blocks to the output, and deletes the scratch file. */
  void finish() throws IOException {
    if (rows != height) {
      throw new IllegalStateException("only " + rows + " of " + height + " rows were written");
    }
    try {
      blocks.close();
      byte[] header = header();
      long base = header.length + 8L * offsets.length;
      ByteBuffer table = ByteBuffer.allocate(8 * offsets.length).order(ByteOrder.LITTLE_ENDIAN);
      for (long offset : offsets) {
        table.putLong(base + offset);
      }
      out.write(header);
      out.write(table.array());
      try (InputStream in = Files.newInputStream(scratch)) {
        in.transferTo(out);
      }
    } finally {
      abandon();
    }
  }

  /** Frees the compressor and deletes the scratch file; safe to call more than once. */
  void abandon() {
    deflater.end();
    try {
      blocks.close();
      Files.deleteIfExists(scratch);
    } catch (IOException e) {
      // A leftover scratch file wastes disk but harms nothing; it sits in the assembler's work folder.
    }
  }

  private byte[] header() {
    ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(20000630).putInt(2); // magic, version 2: single-part scanline, short names
    ByteBuffer list = ByteBuffer.allocate(names.length * 18 + 1).order(ByteOrder.LITTLE_ENDIAN);
    for (String name : names) {
      list.put(name.getBytes(StandardCharsets.US_ASCII)).put((byte) 0).putInt(HALF).put((byte) 0)
          .put(new byte[3]).putInt(1).putInt(1);
    }
    list.put((byte) 0);
    attribute(b, "channels", "chlist", list.flip());
    attribute(b, "compression", "compression", ByteBuffer.wrap(new byte[] {ZIP_COMPRESSION}));
    ByteBuffer box = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0)
        .putInt(width - 1).putInt(height - 1).flip();
    attribute(b, "dataWindow", "box2i", box);
    attribute(b, "displayWindow", "box2i", box.rewind());
    attribute(b, "lineOrder", "lineOrder", ByteBuffer.wrap(new byte[] {0}));
    attribute(b, "pixelAspectRatio", "float", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f)
        .flip());
    attribute(b, "screenWindowCenter", "v2f", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0f)
        .putFloat(0f).flip());
    attribute(b, "screenWindowWidth", "float", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f)
        .flip());
    b.put((byte) 0);
    byte[] header = new byte[b.position()];
    b.flip().get(header);
    return header;
  }

  private static void attribute(ByteBuffer b, String name, String type, ByteBuffer value) {
    b.put(name.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
    b.put(type.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
    b.putInt(value.remaining()).put(value);
  }
}
