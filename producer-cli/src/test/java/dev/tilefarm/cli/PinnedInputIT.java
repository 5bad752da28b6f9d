package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.worker.RenderWorker;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process job's input is pinned to the version whose header the splitter checked: replaced after the job
 * was accepted (here by a 30000 x 30000 PNG bomb, far over limits.max-pixels), the job FAILS with the reason,
 * and no worker decodes the replacement. Real embedded broker and S3 server.
 */
class PinnedInputIT {
  @TempDir
  Path dir;

  @Test
  void anInputReplacedAfterAcceptedFailsTheJobUndecoded() throws Exception {
    // No workers yet: the job is accepted, then its input replaced, before any worker can read it.
    try (TestFarm farm = TestFarm.start(dir, 0); JobClient client = new JobClient(farm.farm.settings())) {
      S3Uri input = new S3Uri("tilefarm", "pinned/photo.png");
      farm.farm.blobs().put(input, png(96, 64), "image/png");
      var from = client.eventPositions();
      String id = client.submit(TestFarm.json("{\"id\":\"pinned-1\",\"type\":\"process\",\"input\":\"" + input
          + "\",\"ops\":[{\"op\":\"grayscale\"}],\"tileSize\":32}"));
      long until = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
      while (client.history(id).stream().noneMatch(e -> e instanceof JobEvent.Accepted)) {
        assertTrue(System.nanoTime() < until, "the job was not accepted: " + client.history(id));
        Thread.sleep(200);
      }
      byte[] bomb = bomb(30_000, 30_000);
      farm.farm.blobs().put(input, bomb, "image/png");
      try (RenderWorker worker = Farm.startWorker(farm.farm.settings(), farm.farm.blobs(), "late-worker", 1)) {
        Map<String, JobEvent> ends = client.await(List.of(id), Set.of(), from, TestFarm.TIMEOUT, e -> { });
        JobEvent.Failed failed = assertInstanceOf(JobEvent.Failed.class, ends.get(id), String.valueOf(ends.get(id)));
        assertTrue(failed.reason().contains("input " + input + " changed after the job was accepted"),
            failed.reason());
      }
      // The original object is what the farm checked: the same job on an unchanged input completes.
      farm.farm.blobs().put(input, png(96, 64), "image/png");
      var again = client.eventPositions();
      try (RenderWorker worker = Farm.startWorker(farm.farm.settings(), farm.farm.blobs(), "worker-2", 1)) {
        String ok = client.submit(TestFarm.json("{\"id\":\"pinned-2\",\"type\":\"process\",\"input\":\"" + input
            + "\",\"ops\":[{\"op\":\"grayscale\"}],\"tileSize\":32}"));
        JobEvent end = client.await(List.of(ok), Set.of(), again, TestFarm.TIMEOUT, e -> { }).get(ok);
        JobEvent.Completed done = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));
        assertEquals(96, farm.image(done).getWidth());
      }
    }
  }

  private static byte[] png(int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, (x * 2) << 16 | (y * 3) << 8 | 40);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** A valid greyscale PNG of black pixels, built row by row: under a megabyte that decodes to width x height bytes. */
  private static byte[] bomb(int width, int height) throws IOException {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
      byte[] row = new byte[width + 1];
      for (int y = 0; y < height; y++) {
        z.write(row);
      }
    }
    deflater.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(width);
    h.writeInt(height);
    h.write(new byte[] {8, 0, 0, 0, 0});
    chunk(out, "IHDR", ihdr.toByteArray());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(data.length);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    d.write(t);
    d.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    d.writeInt((int) crc.getValue());
  }
}
