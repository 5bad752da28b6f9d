package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileMaker;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;

/** The reference of the render figures: the same job made in this process, with no farm in between. */
final class DirectRender {
  private DirectRender() {
  }

  /**
   * Renders {@code json} tile by tile on a pool of {@code poolThreads}, then encodes it as PNG; returns the ms
   * taken.
   */
  static double millis(ObjectNode json, int poolThreads) throws Exception {
    JobRequest job = JobCodec.decode(json.deepCopy(), json.get("id").asText());
    int w = json.get("width").asInt();
    int h = json.get("height").asInt();
    TileMaker maker = new TileMaker(uri -> {
      throw new IllegalStateException("no inputs in a render job");
    }, 1 << 20);
    long t0 = System.nanoTime();
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] dst = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    int band = 16;
    ExecutorService pool = Executors.newFixedThreadPool(poolThreads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int y = 0; y < h; y += band) {
        TileRect rect = new TileRect(y / band, 0, y, w, Math.min(band, h - y));
        parts.add(pool.submit(() -> {
          TileImage t = maker.make(job, rect, w, h);
          byte[] src = t.pixels();
          for (int i = 0, o = rect.y() * w * 3; i < src.length; i += 3, o += 3) {
            dst[o] = src[i + 2];
            dst[o + 1] = src[i + 1];
            dst[o + 2] = src[i];
          }
          return null;
        }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    return (System.nanoTime() - t0) / 1e6;
  }
}
