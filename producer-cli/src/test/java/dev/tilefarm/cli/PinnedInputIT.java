package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.testing.Bombs;
import dev.tilefarm.worker.RenderWorker;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      byte[] bomb = Bombs.png(30_000, 30_000);
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
}
