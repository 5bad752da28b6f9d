package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.store.TileImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The encoder's bytes are pinned: published outputs (the demo's sha256s) and reprocessed jobs' outputs must not
 * change when the encoder gets faster. {@code png-golden.properties} holds the sha256 of each image below as the
 * encoder of commit 639c7b1 (one thread, before filtering moved to several) wrote it.
 */
class PngEncoderGoldenTest {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(3);

  @AfterAll
  static void stop() {
    POOL.shutdownNow();
  }

  /** Images by name, with their bit depth: sparse edges (what Canny gives), photo-like colour, noise, 16 bits. */
  static Map<String, Object[]> images() {
    Map<String, Object[]> out = new LinkedHashMap<>();
    byte[] edges = new byte[1031 * 517];
    for (int y = 0; y < 517; y++) {
      for (int x = 0; x < 1031; x++) {
        if ((x * 7 + y * 3) % 61 == 0 || (x - 500) * (x - 500) + (y - 250) * (y - 250) == 200 * 200
            || (x + y) % 97 < 2 && x % 5 != 0) {
          edges[y * 1031 + x] = (byte) 255;
        }
      }
    }
    out.put("edges-grey", new Object[] {new TileImage(1031, 517, 1, edges), 8});
    out.put("smooth-rgb", new Object[] {TestImages.smooth(257, 130, 3), 8});
    out.put("noise-rgba", new Object[] {TestImages.image(300, 301, 4, 5), 8});
    byte[] deep = new byte[97 * 41 * 6];
    for (int i = 0; i < 97 * 41 * 3; i++) {
      int v = (int) (i * 2654435761L % 65536);
      deep[2 * i] = (byte) (v >>> 8);
      deep[2 * i + 1] = (byte) v;
    }
    out.put("ramp-rgb16", new Object[] {new TileImage(97, 41, 3, 16, deep), 16});
    return out;
  }

  static byte[] encode(TileImage image, int bitDepth, ExecutorService filters) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PngEncoder png = new PngEncoder(out, image.width(), image.height(), image.channels(), bitDepth,
        ImageAssembler.PNG_LEVEL, filters);
    png.writeRows(image.pixels(), 0, image.height());
    png.finish();
    return out.toByteArray();
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static Properties golden() throws IOException {
    Properties p = new Properties();
    try (InputStream in = PngEncoderGoldenTest.class.getResourceAsStream("/png-golden.properties")) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }
    return p;
  }

  @Test
  void oneThreadWritesTheBytesOfTheEncoderBefore() throws Exception {
    assertGolden(null);
  }

  @Test
  void filteringOnSeveralThreadsWritesTheSameBytes() throws Exception {
    assertGolden(POOL);
  }

  private static void assertGolden(ExecutorService filters) throws Exception {
    Properties golden = golden();
    for (var e : images().entrySet()) {
      byte[] png = encode((TileImage) e.getValue()[0], (int) e.getValue()[1], filters);
      assertEquals(golden.getProperty(e.getKey()), sha256(png), e.getKey());
    }
  }
}
