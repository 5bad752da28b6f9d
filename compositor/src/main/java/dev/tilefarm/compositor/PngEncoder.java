package dev.tilefarm.compositor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A streaming PNG encoder for grey (1 channel), RGB (3) or RGBA (4) images of 8 or 16 bits a sample: it
 * holds two scanlines, never the image. The caller writes the {@code height} rows top to bottom, each exactly
 * {@code width * channels * bitDepth / 8} bytes, pixels left to right with interleaved channels (16-bit
 * samples big-endian, as PNG stores them), then calls {@link #finish()}.
 *
 * <p>The output is a function of the pixels alone: the filter of each row is chosen by the
 * minimum-sum-of-absolute-differences heuristic (ties go to the lower filter type), rows reach the
 * deflater one at a time whatever bands the caller hands in, and IDAT chunks are cut at a fixed size. So
 * the same image always gives the same bytes, however it was tiled — which is what lets a reprocessed job
 * overwrite its output with an identical object.
 */
final class PngEncoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** IDAT payload size; any size is valid PNG, a fixed one keeps the bytes deterministic. */
  static final int IDAT_SIZE = 64 * 1024;

  private final OutputStream out;
  private final int width;
  private final int height;
  /** Bytes per complete pixel: the distance PNG's filters look back. */
  private final int bpp;
  private final int stride;
  private final Deflater deflater;
  private final byte[] idat = new byte[IDAT_SIZE];
  private int idatLength;
  private byte[] previous;
  /** The five filtered versions of the current row, each prefixed by its filter type byte. */
  private final byte[][] filtered = new byte[5][];
  private int rows;
  private boolean finished;

  /** Writes the signature and header of an 8-bit image. {@code level} is a {@link Deflater} level (0-9). */
  PngEncoder(OutputStream out, int width, int height, int channels, int level) throws IOException {
    this(out, width, height, channels, 8, level);
  }

  /** Writes the signature and header; {@code bitDepth} is 8 or 16. */
  PngEncoder(OutputStream out, int width, int height, int channels, int bitDepth, int level) throws IOException {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size " + width + "x" + height);
    }
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("bitDepth must be 8 or 16, got " + bitDepth);
    }
    this.out = out;
    this.width = width;
    this.height = height;
    this.bpp = channels * (bitDepth / 8);
    this.stride = Math.multiplyExact(width, bpp);
    this.previous = new byte[stride];
    for (int f = 0; f < filtered.length; f++) {
      filtered[f] = new byte[stride + 1];
      filtered[f][0] = (byte) f;
    }
    this.deflater = new Deflater(level);
    out.write(SIGNATURE);
    byte[] ihdr = new byte[13];
    putInt(ihdr, 0, width);
    putInt(ihdr, 4, height);
    ihdr[8] = (byte) bitDepth;
    ihdr[9] = colorType(channels);
    // ihdr[10..12]: deflate compression, adaptive filtering, no interlace: all 0
    chunk("IHDR", ihdr, 0, ihdr.length);
  }

  private static byte colorType(int channels) {
    switch (channels) {
      case 1:
        return 0;
      case 3:
        return 2;
      case 4:
        return 6;
      default:
        throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
    }
  }

  /** Encodes the next row: {@code width * channels} bytes of {@code pixels} from {@code offset}. */
  void writeRow(byte[] pixels, int offset) throws IOException {
    if (finished || rows == height) {
      throw new IllegalStateException("all " + height + " rows are written already");
    }
    if (offset < 0 || pixels.length - offset < stride) {
      throw new IllegalArgumentException("a row needs " + stride + " bytes from offset " + offset + " of "
          + pixels.length);
    }
    byte[] best = filter(pixels, offset);
    deflater.setInput(best, 0, best.length);
    while (!deflater.needsInput()) {
      drain(Deflater.NO_FLUSH);
    }
    System.arraycopy(pixels, offset, previous, 0, stride);
    rows++;
  }

  /** Encodes {@code count} consecutive rows of a band laid out row after row from {@code offset}. */
  void writeRows(byte[] band, int offset, int count) throws IOException {
    for (int r = 0; r < count; r++) {
      writeRow(band, offset + r * stride);
    }
  }

  /** Flushes the compressed stream and writes IEND; every row must have been written. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    if (rows != height) {
      throw new IllegalStateException("finishing after " + rows + " of " + height + " rows");
    }
    try {
      deflater.finish();
      while (!deflater.finished()) {
        drain(Deflater.NO_FLUSH);
      }
      if (idatLength > 0) {
        chunk("IDAT", idat, 0, idatLength);
        idatLength = 0;
      }
      chunk("IEND", idat, 0, 0);
      out.flush();
      finished = true;
    } finally {
      deflater.end();
    }
  }

  /** Releases the deflater's native memory when encoding is abandoned half-way. */
  void abandon() {
    deflater.end();
  }

  private void drain(int flush) throws IOException {
    int n = deflater.deflate(idat, idatLength, idat.length - idatLength, flush);
    idatLength += n;
    if (idatLength == idat.length) {
      chunk("IDAT", idat, 0, idatLength);
      idatLength = 0;
    }
  }

  /** Computes the five PNG filters of the row and returns the one with the smallest signed-magnitude sum. */
  private byte[] filter(byte[] row, int off) {
    byte[] none = filtered[0];
    byte[] sub = filtered[1];
    byte[] up = filtered[2];
    byte[] avg = filtered[3];
    byte[] paeth = filtered[4];
    long sNone = 0;
    long sSub = 0;
    long sUp = 0;
    long sAvg = 0;
    long sPaeth = 0;
    for (int i = 0; i < stride; i++) {
      int x = row[off + i] & 0xff;
      int a = i >= bpp ? row[off + i - bpp] & 0xff : 0;
      int b = previous[i] & 0xff;
      int c = i >= bpp ? previous[i - bpp] & 0xff : 0;
      byte vNone = (byte) x;
      byte vSub = (byte) (x - a);
      byte vUp = (byte) (x - b);
      byte vAvg = (byte) (x - ((a + b) >>> 1));
      byte vPaeth = (byte) (x - paeth(a, b, c));
      none[i + 1] = vNone;
      sub[i + 1] = vSub;
      up[i + 1] = vUp;
      avg[i + 1] = vAvg;
      paeth[i + 1] = vPaeth;
      sNone += Math.abs(vNone);
      sSub += Math.abs(vSub);
      sUp += Math.abs(vUp);
      sAvg += Math.abs(vAvg);
      sPaeth += Math.abs(vPaeth);
    }
    long[] sums = {sNone, sSub, sUp, sAvg, sPaeth};
    int best = 0;
    for (int f = 1; f < sums.length; f++) {
      if (sums[f] < sums[best]) {
        best = f;
      }
    }
    return filtered[best];
  }

  private static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    if (pa <= pb && pa <= pc) {
      return a;
    }
    return pb <= pc ? b : c;
  }

  private void chunk(String type, byte[] data, int off, int len) throws IOException {
    byte[] header = new byte[8];
    putInt(header, 0, len);
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(typeBytes, 0, header, 4, 4);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data, off, len);
    out.write(header);
    out.write(data, off, len);
    byte[] trailer = new byte[4];
    putInt(trailer, 0, (int) crc.getValue());
    out.write(trailer);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
