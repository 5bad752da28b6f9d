package dev.tilefarm.compositor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
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
 *
 * <p>Choosing and applying each row's filter is most of the encoder's time, and a row's filter depends only on
 * the row and the one above it: so rows are filtered a band at a time, on the threads of a given executor, and
 * then reach the deflater one at a time in order, as before. The bytes are the same as with one thread.
 */
final class PngEncoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** IDAT payload size; any size is valid PNG, a fixed one keeps the bytes deterministic. */
  static final int IDAT_SIZE = 64 * 1024;
  /** Rows filtered at once: about this many bytes of them (at least one row). */
  private static final int BAND_BYTES = 256 * 1024;
  /** Rows of a band one filtering task takes at least, so that a task's work outweighs handing it over. */
  private static final int ROWS_PER_TASK = 4;

  private final OutputStream out;
  private final int width;
  private final int height;
  /** Bytes per complete pixel: the distance PNG's filters look back. */
  private final int bpp;
  private final int stride;
  private final Deflater deflater;
  private final byte[] idat = new byte[IDAT_SIZE];
  private int idatLength;
  /** The last row of the band before (zeros above the first row). */
  private final byte[] previous;
  /** Rows waiting to be filtered, and their filtered forms (each prefixed by its filter type byte). */
  private final byte[] band;
  private final byte[] filtered;
  private final int bandRows;
  private int pending;
  /** Where bands are filtered; null: on the caller's thread. */
  private final ExecutorService filters;
  private int rows;
  private boolean finished;

  /** Writes the signature and header of an 8-bit image. {@code level} is a {@link Deflater} level (0-9). */
  PngEncoder(OutputStream out, int width, int height, int channels, int level) throws IOException {
    this(out, width, height, channels, 8, level);
  }

  /** Writes the signature and header; {@code bitDepth} is 8 or 16. */
  PngEncoder(OutputStream out, int width, int height, int channels, int bitDepth, int level) throws IOException {
    this(out, width, height, channels, bitDepth, level, null);
  }

  /**
   * Writes the signature and header; rows are filtered on {@code filters}' threads as well as the caller's
   * (null: the caller's alone).
   */
  PngEncoder(OutputStream out, int width, int height, int channels, int bitDepth, int level, ExecutorService filters)
      throws IOException {
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
    this.bandRows = Math.max(1, Math.min(height, BAND_BYTES / stride));
    this.band = new byte[Math.multiplyExact(bandRows, stride)];
    this.filtered = new byte[Math.multiplyExact(bandRows, stride + 1)];
    this.filters = filters;
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
    System.arraycopy(pixels, offset, band, pending * stride, stride);
    pending++;
    rows++;
    if (pending == bandRows) {
      flushBand();
    }
  }

  /** Filters the pending rows (in parallel where there is an executor) and deflates them in order. */
  private void flushBand() throws IOException {
    int n = pending;
    if (n == 0) {
      return;
    }
    int tasks = filters == null ? 1 : Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(),
        n / ROWS_PER_TASK));
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int t = 1; t < tasks; t++) {
        int from = n * t / tasks;
        int to = n * (t + 1) / tasks;
        running.add(filters.submit(() -> filterRows(from, to)));
      }
      filterRows(0, n / tasks);
      for (Future<?> f : running) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("filtering PNG rows", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while filtering PNG rows");
    } finally {
      running.forEach(f -> f.cancel(true));
    }
    for (int r = 0; r < n; r++) {
      deflater.setInput(filtered, r * (stride + 1), stride + 1);
      while (!deflater.needsInput()) {
        drain(Deflater.NO_FLUSH);
      }
    }
    System.arraycopy(band, (n - 1) * stride, previous, 0, stride);
    pending = 0;
  }

  private void filterRows(int from, int to) {
    for (int r = from; r < to; r++) {
      byte[] above = r == 0 ? previous : band;
      int aboveOffset = r == 0 ? 0 : (r - 1) * stride;
      filter(band, r * stride, above, aboveOffset, filtered, r * (stride + 1));
    }
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
      flushBand();
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

  /**
   * Writes the filter type and the filtered row of {@code row} (at {@code off}, below {@code above} at {@code
   * aboveOff}) to {@code out} at {@code outOff}: the filter with the smallest sum of signed magnitudes, ties to
   * the lower type.
   */
  private void filter(byte[] row, int off, byte[] above, int aboveOff, byte[] out, int outOff) {
    long sNone = 0;
    long sSub = 0;
    long sUp = 0;
    long sAvg = 0;
    long sPaeth = 0;
    for (int i = 0; i < stride; i++) {
      int x = row[off + i] & 0xff;
      int a = i >= bpp ? row[off + i - bpp] & 0xff : 0;
      int b = above[aboveOff + i] & 0xff;
      int c = i >= bpp ? above[aboveOff + i - bpp] & 0xff : 0;
      sNone += Math.abs((byte) x);
      sSub += Math.abs((byte) (x - a));
      sUp += Math.abs((byte) (x - b));
      sAvg += Math.abs((byte) (x - ((a + b) >>> 1)));
      sPaeth += Math.abs((byte) (x - paeth(a, b, c)));
    }
    long[] sums = {sNone, sSub, sUp, sAvg, sPaeth};
    int best = 0;
    for (int f = 1; f < sums.length; f++) {
      if (sums[f] < sums[best]) {
        best = f;
      }
    }
    out[outOff] = (byte) best;
    int to = outOff + 1;
    switch (best) {
      case 0 -> System.arraycopy(row, off, out, to, stride);
      case 1 -> {
        for (int i = 0; i < stride; i++) {
          out[to + i] = (byte) (row[off + i] - (i >= bpp ? row[off + i - bpp] : 0));
        }
      }
      case 2 -> {
        for (int i = 0; i < stride; i++) {
          out[to + i] = (byte) (row[off + i] - above[aboveOff + i]);
        }
      }
      case 3 -> {
        for (int i = 0; i < stride; i++) {
          int a = i >= bpp ? row[off + i - bpp] & 0xff : 0;
          out[to + i] = (byte) (row[off + i] - ((a + (above[aboveOff + i] & 0xff)) >>> 1));
        }
      }
      default -> {
        for (int i = 0; i < stride; i++) {
          int a = i >= bpp ? row[off + i - bpp] & 0xff : 0;
          int c = i >= bpp ? above[aboveOff + i - bpp] & 0xff : 0;
          out[to + i] = (byte) (row[off + i] - paeth(a, above[aboveOff + i] & 0xff, c));
        }
      }
    }
  }

  /** PNG's Paeth predictor, written with {@code p - a = b - c} etc. so that the JIT can avoid branches. */
  private static int paeth(int a, int b, int c) {
    int pa = Math.abs(b - c);
    int pb = Math.abs(a - c);
    int pc = Math.abs(a + b - 2 * c);
    int ab = pa <= pb ? a : b;
    int abMin = Math.min(pa, pb);
    return abMin <= pc ? ab : c;
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
