package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Helpers of the external renderer tests: a fake bucket, tiling, assembling, comparing. */
final class ExternalRenderTesting {
  final Map<S3Uri, byte[]> objects = new HashMap<>();
  final TileRenderer renderer = new TileRenderer(8, TileRenderer.DEFAULT_CACHE_BYTES, uri -> {
    byte[] b = objects.get(uri);
    if (b == null) {
      throw new BlobNotFoundException(uri, null);
    }
    return b;
  });

  S3Uri put(String key, byte[] bytes) {
    S3Uri uri = new S3Uri("bucket", key);
    objects.put(uri, bytes);
    return uri;
  }

  static byte[] zip(Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The image rendered as one tile covering the whole frame. */
  TileImage full(JobRequest.Render job) throws Exception {
    return renderer.render(job, new TileRect(0, 0, 0, job.width(), job.height()), job.width(), job.height(),
        RenderContext.none());
  }

  /** The image rendered tile by tile (row-major, side {@code tile}) and put together. */
  TileImage tiled(JobRequest.Render job, int tile) throws Exception {
    byte[] out = new byte[job.width() * job.height() * 3];
    int index = 0;
    for (int y = 0; y < job.height(); y += tile) {
      for (int x = 0; x < job.width(); x += tile) {
        TileRect r = new TileRect(index++, x, y, Math.min(tile, job.width() - x), Math.min(tile, job.height() - y));
        TileImage t = renderer.render(job, r, job.width(), job.height(), RenderContext.none());
        assertEquals(r.width(), t.width());
        assertEquals(r.height(), t.height());
        for (int row = 0; row < r.height(); row++) {
          System.arraycopy(t.pixels(), row * r.width() * 3, out, ((r.y() + row) * job.width() + r.x()) * 3,
              r.width() * 3);
        }
      }
    }
    return new TileImage(job.width(), job.height(), 3, out);
  }

  static double psnr(TileImage a, TileImage b) {
    double se = 0;
    for (int i = 0; i < a.pixels().length; i++) {
      double d = (a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff);
      se += d * d;
    }
    double mse = se / a.pixels().length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /**
   * No visible seam: along every tile edge, the mean difference between the two pixel columns (rows) that meet
   * there is no larger in the tiled image than in the full frame, within {@code tolerance} levels.
   */
  static void assertNoSeam(TileImage full, TileImage tiled, int tile, double tolerance) {
    List<String> seams = new ArrayList<>();
    for (int x = tile; x < full.width(); x += tile) {
      double f = edge(full, x, true);
      double t = edge(tiled, x, true);
      if (t > f + tolerance) {
        seams.add("column " + x + ": " + t + " vs " + f);
      }
    }
    for (int y = tile; y < full.height(); y += tile) {
      double f = edge(full, y, false);
      double t = edge(tiled, y, false);
      if (t > f + tolerance) {
        seams.add("row " + y + ": " + t + " vs " + f);
      }
    }
    assertTrue(seams.isEmpty(), "seams at " + seams);
  }

  private static double edge(TileImage img, int at, boolean vertical) {
    double sum = 0;
    int n = vertical ? img.height() : img.width();
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        int a = vertical ? px(img, at - 1, i, c) : px(img, i, at - 1, c);
        int b = vertical ? px(img, at, i, c) : px(img, i, at, c);
        sum += Math.abs(a - b);
      }
    }
    return sum / (n * 3.0);
  }

  private static int px(TileImage img, int x, int y, int c) {
    return img.pixels()[(y * img.width() + x) * 3 + c] & 0xff;
  }

  static String message(TileFailedException e) {
    return e.getMessage();
  }
}
