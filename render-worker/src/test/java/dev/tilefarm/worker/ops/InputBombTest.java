package dev.tilefarm.worker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.testing.Bombs;
import dev.tilefarm.worker.TileFailedException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A process input that declares more pixels than the farm decodes is refused from its header, undecoded. */
class InputBombTest {
  @Test
  void anInputOverMaxPixelsFailsNamingTheCap() {
    // About 400 KB that OpenCV would decode to 400 MB (its own cap is 2^30 pixels).
    byte[] bomb = Bombs.png(20_000, 20_000);
    S3Uri input = S3Uri.parse("s3://inp/bomb.png");
    TileProcessor processor = new TileProcessor(uri -> bomb, 1 << 20, 16_384L * 16_384L);
    JobRequest.Process job = (JobRequest.Process) JobCodec.decode(JobCodec.parse(("{\"type\":\"process\","
        + "\"input\":\"s3://inp/bomb.png\",\"ops\":[{\"op\":\"grayscale\"}]}").getBytes(StandardCharsets.UTF_8)), "j");
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> processor.process(job, new TileRect(0, 0, 0, 64, 64), 20_000, 20_000));
    assertEquals("input " + input + " is a 20000x20000 = 400000000 pixel image; this farm decodes at most 268435456 "
        + "(limits.max-pixels)", e.getMessage());
  }

  @Test
  void anInputWithinTheCapIsDecoded() throws TileFailedException {
    DecodedImage image = InputDecoder.decode(S3Uri.parse("s3://inp/small.png"), Bombs.png(300, 200), 300 * 200);
    assertEquals(300, image.width());
    assertEquals(200, image.height());
  }
}
