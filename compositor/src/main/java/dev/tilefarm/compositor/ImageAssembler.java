package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TilePack;
import dev.tilefarm.store.TileImage;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Puts a job's tiles together into its output image and stores it.
 *
 * <p>PNG is streamed: the tiles of one band (see {@link TileLayout}) are fetched — in parallel — and
 * decoded, their rows go through {@link PngEncoder} (which filters them on the cores' threads) into a temporary
 * file while its SHA-256 is computed, and the band is dropped before the next one is fetched; the file is then
 * handed to the {@link ImageSink}.
 * Memory is one band of tiles, whatever the image size.
 *
 * <p>JPEG (quality {@value #JPEG_QUALITY_PERCENT}) goes through {@code javax.imageio}, which needs the whole
 * image in memory, so JPEG outputs are limited to {@link #MAX_JPEG_BYTES} of pixels. JPEG has no alpha:
 * the alpha channel of an RGBA image is dropped (colours are kept as they are, not composited over a
 * background).
 *
 * <p>TIFF (8 or 16 bits) and WebP (lossless, 8 bits) go through OpenCV's {@code imencode} ({@link OpenCvEncoder}),
 * whole in memory, bounded as JPEG is ({@link FormatLimits}). EXR is streamed as PNG is: float tiles become
 * half-float blocks of 16 rows ({@link ExrEncoder}). A tile's sample depth must suit the format (8 or 16 bits
 * for PNG and TIFF, 8 for JPEG and WebP, float for EXR), else the job fails saying so.
 *
 * <p>Outputs have owners: an object at the output that another job wrote (see {@link ImageSink#writer}) is
 * not replaced; the job fails saying so.
 *
 * <p>Failures: a missing, unreadable or corrupt tile, or tiles that do not cover the image, are an
 * {@link AssemblyFailedException} naming the tile; a storage failure that may pass is a
 * {@link StorageUnavailableException}. Either way the temporary file is deleted and nothing is written to
 * the output.
 */
final class ImageAssembler implements AutoCloseable {
  static final int JPEG_QUALITY_PERCENT = 92;
  /** Pixel bytes a JPEG output may hold in memory (grey: 1 byte a pixel, colour: 3). */
  static final long MAX_JPEG_BYTES = 1L << 30;
  /** zlib's default: a good size-for-time trade-off; level 9 is several times slower for a few percent. */
  static final int PNG_LEVEL = 6;

  private final TileSource tiles;
  private final ImageSink sink;
  private final Path workDir;
  private final ExecutorService fetchers;
  /** Filter PNG rows beside the assembling thread: one fewer than the cores, which that thread takes. */
  private final ExecutorService pngFilters;

  /**
   * @param workDir where temporary image files are written; created if missing
   * @param fetchThreads how many tiles of a band are fetched at once
   */
  ImageAssembler(TileSource tiles, ImageSink sink, Path workDir, int fetchThreads) {
    if (fetchThreads < 1) {
      throw new IllegalArgumentException("fetchThreads must be at least 1, got " + fetchThreads);
    }
    this.tiles = tiles;
    this.sink = sink;
    this.workDir = workDir;
    AtomicInteger n = new AtomicInteger();
    this.fetchers = Executors.newFixedThreadPool(fetchThreads, r -> {
      Thread t = new Thread(r, "compositor-tile-fetch-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    AtomicInteger f = new AtomicInteger();
    this.pngFilters = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), r -> {
      Thread t = new Thread(r, "compositor-png-filter-" + f.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  AssembledImage assemble(AssemblyRequest req) {
    long started = System.nanoTime();
    TileLayout layout = TileLayout.of(req.jobId(), req.width(), req.height(), req.tiles());
    if (req.format() == ImageFormat.JPEG) {
      long need = (long) req.width() * req.height() * (req.channels() == 1 ? 1 : 3);
      if (need > MAX_JPEG_BYTES) {
        throw new AssemblyFailedException(req.jobId(), null, "a " + req.width() + "x" + req.height()
            + " JPEG needs " + (need >> 20) + " MiB of pixels in memory, more than the " + (MAX_JPEG_BYTES >> 20)
            + " MiB limit; write a .png output for images this large", null);
      }
    }
    FormatLimits.check(req);
    Path file = null;
    try {
      Files.createDirectories(workDir);
      file = Files.createTempFile(workDir, "assembly-", "." + req.format().extension());
      MessageDigest sha256 = sha256();
      try (OutputStream out = new DigestOutputStream(
          new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), sha256)) {
        switch (req.format()) {
          case PNG:
            writePng(req, layout, out);
            break;
          case JPEG:
            writeJpeg(req, layout, out);
            break;
          case TIFF, WEBP:
            writeOpenCv(req, layout, out);
            break;
          case EXR:
            writeExr(req, layout, out);
            break;
          default:
            throw new IllegalStateException("no encoder for " + req.format());
        }
      }
      long bytes = Files.size(file);
      String digest = HexFormat.of().formatHex(sha256.digest());
      store(req, file);
      CompositorMetrics.assembled(req.format(), System.nanoTime() - started);
      return new AssembledImage(req.output(), req.format(), digest, bytes, req.width(), req.height(),
          req.tiles().size());
    } catch (IOException e) {
      // The local disk, not the request: worth another try once space or permissions are back.
      throw new StorageUnavailableException("assembling job " + req.jobId() + " in " + workDir + ": " + e, e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // A leftover temp file wastes disk but harms nothing; the next start's directory is the same one.
        }
      }
    }
  }

  private void writePng(AssemblyRequest req, TileLayout layout, OutputStream out) throws IOException {
    // The bit depth is the tiles' own (16 for a linear16 render), known once the first band is in.
    PngEncoder[] png = {null};
    try {
      forEachRow(req, layout, (row, bitDepth) -> {
        if (png[0] == null) {
          FormatLimits.checkDepth(req, bitDepth);
          png[0] = new PngEncoder(out, req.width(), req.height(), req.channels(), bitDepth, PNG_LEVEL, pngFilters);
        }
        png[0].writeRow(row, 0);
      });
      png[0].finish();
    } finally {
      if (png[0] != null) {
        png[0].abandon();
      }
    }
  }

  private void writeOpenCv(AssemblyRequest req, TileLayout layout, OutputStream out) throws IOException {
    OpenCvEncoder[] encoder = {null};
    try {
      forEachRow(req, layout, (row, bitDepth) -> {
        if (encoder[0] == null) {
          FormatLimits.checkDepth(req, bitDepth);
          encoder[0] = new OpenCvEncoder(req.format(), req.width(), req.height(), req.channels(), bitDepth);
        }
        encoder[0].writeRow(row);
      });
      OpenCvEncoder done = encoder[0];
      encoder[0] = null;
      out.write(done.encode());
    } finally {
      if (encoder[0] != null) {
        encoder[0].abandon();
      }
    }
  }

  private void writeExr(AssemblyRequest req, TileLayout layout, OutputStream out) throws IOException {
    ExrEncoder[] exr = {null};
    try {
      forEachRow(req, layout, (row, bitDepth) -> {
        if (exr[0] == null) {
          FormatLimits.checkDepth(req, bitDepth);
          exr[0] = new ExrEncoder(out, Files.createTempFile(workDir, "exr-blocks-", ".bin"), req.width(),
              req.height(), req.channels());
        }
        exr[0].writeRow(row);
      });
      exr[0].finish();
    } finally {
      if (exr[0] != null) {
        exr[0].abandon();
      }
    }
  }

  private void writeJpeg(AssemblyRequest req, TileLayout layout, OutputStream out) throws IOException {
    int w = req.width();
    int channels = req.channels();
    BufferedImage image;
    if (channels == 1) {
      image = new BufferedImage(w, req.height(), BufferedImage.TYPE_BYTE_GRAY);
    } else {
      // Interleaved R,G,B bytes, so rows copy straight in (TYPE_3BYTE_BGR would need reordering too).
      WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, req.height(), w * 3, 3,
          new int[] {0, 1, 2}, null);
      ComponentColorModel rgb = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
          Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
      image = new BufferedImage(rgb, raster, false, null);
    }
    byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    int[] y = {0};
    forEachRow(req, layout, (row, bitDepth) -> {
      if (bitDepth != 8) {
        throw new AssemblyFailedException(req.jobId(), null, "its tiles have " + bitDepth
            + "-bit samples, which JPEG cannot hold; write a .png output", null);
      }
      int at = y[0]++ * w * (channels == 1 ? 1 : 3);
      if (channels == 4) {
        for (int x = 0, s = 0; x < w; x++, s += 4, at += 3) {
          data[at] = row[s];
          data[at + 1] = row[s + 1];
          data[at + 2] = row[s + 2];
        }
      } else {
        System.arraycopy(row, 0, data, at, row.length);
      }
    });
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(JPEG_QUALITY_PERCENT / 100f);
      writer.setOutput(ios);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  @FunctionalInterface
  private interface RowConsumer {
    void accept(byte[] row, int bitDepth) throws IOException;
  }

  /** Hands the image's rows, top to bottom, to {@code consumer}; the row buffer is reused between calls. */
  private void forEachRow(AssemblyRequest req, TileLayout layout, RowConsumer consumer) throws IOException {
    int channels = req.channels();
    int bitDepth = 0;
    byte[] row = null;
    Map<Integer, TileImage> loaded = new HashMap<>();
    // A pack of tiles may run on into the next band of tiles: keep the packs of the last band for it.
    Map<S3Uri, byte[]> packs = new HashMap<>();
    for (TileLayout.Segment segment : layout.segments()) {
      Set<Integer> crossing = new HashSet<>();
      segment.row().forEach(t -> crossing.add(t.index()));
      loaded.keySet().retainAll(crossing);
      Map<Integer, TileImage> fetched = fetch(req, segment.starting(), packs);
      for (TilePart t : segment.starting()) {
        int depth = fetched.get(t.index()).bitDepth();
        if (bitDepth == 0) {
          bitDepth = depth;
          row = new byte[req.width() * channels * (bitDepth / 8)];
        } else if (depth != bitDepth) {
          throw new AssemblyFailedException(req.jobId(), t.index(), t.uri() + " holds " + depth
              + "-bit samples but the job's other tiles hold " + bitDepth + "-bit ones", null);
        }
      }
      loaded.putAll(fetched);
      int bytesPerPixel = channels * (bitDepth / 8);
      for (int y = segment.top(); y < segment.bottom(); y++) {
        for (TilePart t : segment.row()) {
          TileImage tile = loaded.get(t.index());
          int tileStride = tile.stride();
          System.arraycopy(tile.pixels(), (y - t.rect().y()) * tileStride, row, t.rect().x() * bytesPerPixel,
              tileStride);
        }
        consumer.accept(row, bitDepth);
      }
    }
  }

  /**
   * Reads and decodes tiles in parallel; the first failure in list order is the one reported. Tiles of one pack
   * are read with one request, and {@code packs} (the packs of the last call, replaced by this call's) are not
   * read again.
   */
  private Map<Integer, TileImage> fetch(AssemblyRequest req, List<TilePart> parts, Map<S3Uri, byte[]> packs) {
    Map<S3Uri, Future<byte[]>> objects = new LinkedHashMap<>();
    for (TilePart part : parts) {
      byte[] kept = packs.get(part.uri());
      objects.computeIfAbsent(part.uri(), uri -> kept != null
          ? java.util.concurrent.CompletableFuture.completedFuture(kept)
          : fetchers.submit(() -> readObject(req, part)));
    }
    Map<Integer, TileImage> result = new HashMap<>();
    try {
      Map<S3Uri, byte[]> read = new HashMap<>();
      for (TilePart part : parts) {
        byte[] object = objects.get(part.uri()).get();
        if (part.part() != TilePart.WHOLE) {
          read.put(part.uri(), object);
        }
        result.put(part.index(), decode(req, part, object));
      }
      packs.clear();
      packs.putAll(read);
      return result;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("fetching tiles of job " + req.jobId(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("fetching tiles of job " + req.jobId() + ": interrupted", e);
    } finally {
      objects.values().forEach(f -> f.cancel(true));
    }
  }

  /** The object holding {@code part}: the tile itself, or its pack. */
  private byte[] readObject(AssemblyRequest req, TilePart part) {
    int index = part.index();
    S3Uri uri = part.uri();
    try {
      return tiles.read(uri);
    } catch (BlobNotFoundException e) {
      throw new AssemblyFailedException(req.jobId(), index, uri + " does not exist", e);
    } catch (BlobStoreException e) {
      if (e.transientFault()) {
        throw new StorageUnavailableException("reading tile " + index + " of job " + req.jobId() + ": "
            + e.getMessage(), e);
      }
      throw new AssemblyFailedException(req.jobId(), index, e.getMessage(), e);
    }
  }

  private TileImage decode(AssemblyRequest req, TilePart part, byte[] object) {
    int index = part.index();
    TileImage tile;
    try {
      byte[] bytes = part.part() == TilePart.WHOLE ? object : TilePack.part(object, part.part());
      if (part.sha256() != null) {
        String actual = HexFormat.of().formatHex(sha256().digest(bytes));
        if (!actual.equalsIgnoreCase(part.sha256())) {
          // Checked when its result came in: these bytes were written since. Never put them in the image.
          throw new AssemblyFailedException(req.jobId(), index, part.where() + " changed after its result was "
              + "checked: its sha256 is " + actual + ", not " + part.sha256(), null);
        }
      }
      tile = TileCodec.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new AssemblyFailedException(req.jobId(), index, part.where() + " is corrupt: " + e.getMessage(), e);
    }
    var r = part.rect();
    if (tile.width() != r.width() || tile.height() != r.height() || tile.channels() != req.channels()) {
      throw new AssemblyFailedException(req.jobId(), index, part.where() + " holds " + tile.width() + "x"
          + tile.height() + "x" + tile.channels() + " pixels but the tile is " + r.width() + "x" + r.height() + "x"
          + req.channels(), null);
    }
    return tile;
  }

  private void store(AssemblyRequest req, Path file) {
    String contentType = req.format().contentType();
    try {
      String writer = sink.writer(req.output());
      if (writer != null && !writer.equals(req.jobId())) {
        throw new AssemblyFailedException(req.jobId(), null, "output " + req.output() + " was written by job "
            + writer + ", and a job never overwrites another job's output", null);
      }
      sink.write(req.output(), file, contentType, req.jobId());
    } catch (BlobNotFoundException e) {
      throw new AssemblyFailedException(req.jobId(), null, "writing " + req.output() + ": the bucket does not exist",
          e);
    } catch (BlobStoreException e) {
      if (e.transientFault()) {
        throw new StorageUnavailableException("writing the image of job " + req.jobId() + ": " + e.getMessage(), e);
      }
      throw new AssemblyFailedException(req.jobId(), null, e.getMessage(), e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Where tiles are read from: the tile checks read the same storage. */
  TileSource tiles() {
    return tiles;
  }

  @Override
  public void close() {
    fetchers.shutdownNow();
    pngFilters.shutdownNow();
  }
}
