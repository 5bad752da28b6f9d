package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.S3Uri;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upload-triggered processing on the embedded farm: an image dropped into the watched prefix of the embedded
 * S3 server, with the notification MinIO would publish for it (S3Proxy publishes none, so the test does),
 * yields the processed image at the rule's output (a repeated notification is the same job id, which the
 * splitter runs once); a notification outside the watched prefix makes nothing.
 */
class UploadTriggerIT {
  @TempDir
  Path dir;

  private static String notification(String bucket, String key, String eTag) {
    return ("{'EventName':'s3:ObjectCreated:Put','Key':'" + bucket + "/" + key + "','Records':[{'eventVersion':'2.0',"
        + "'eventSource':'minio:s3','eventName':'s3:ObjectCreated:Put','s3':{'s3SchemaVersion':'1.0',"
        + "'bucket':{'name':'" + bucket + "','arn':'arn:aws:s3:::" + bucket + "'},'object':{'key':'"
        + key.replace("/", "%2F") + "','size':1,'eTag':'" + eTag + "','sequencer':'1'}}}]}").replace('\'', '"');
  }

  @Test
  void anImageDroppedIntoTheWatchedPrefixIsProcessed() throws Exception {
    Path rules = dir.resolve("rules.json");
    Files.writeString(rules, "[{\"bucket\":\"tilefarm\",\"prefix\":\"incoming/\",\"ops\":[{\"op\":\"invert\"},"
        + "{\"op\":\"flip\",\"axis\":\"horizontal\"}],\"output\":\"s3://tilefarm/processed/\",\"tileSize\":32}]");
    try (TestFarm t = TestFarm.start(dir.resolve("farm"), 1, Map.of("triggers.rules", rules.toString()))) {
      BufferedImage input = new BufferedImage(70, 45, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 45; y++) {
        for (int x = 0; x < 70; x++) {
          input.setRGB(x, y, (x * 3) << 16 | (y * 5) << 8 | ((x + y) & 0xFF));
        }
      }
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(input, "png", png);
      t.farm.blobs().put(S3Uri.parse("s3://tilefarm/incoming/holiday/beach.png"), png.toByteArray(), "image/png");

      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, t.farm.settings().bootstrapServers());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        String event = notification("tilefarm", "incoming/holiday/beach.png", "e1");
        producer.send(new ProducerRecord<>("tilefarm.uploads", "tilefarm/incoming/holiday/beach.png", event)).get();
        producer.send(new ProducerRecord<>("tilefarm.uploads", "tilefarm/incoming/holiday/beach.png", event)).get();
        // Not in the watched prefix: no job.
        producer.send(new ProducerRecord<>("tilefarm.uploads", "x",
            notification("tilefarm", "elsewhere/x.png", "e2"))).get();
      }

      S3Uri output = S3Uri.parse("s3://tilefarm/processed/holiday/beach.png");
      long deadline = System.nanoTime() + TestFarm.TIMEOUT.toNanos();
      while (t.farm.blobs().size(output) < 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertTrue(t.farm.blobs().size(output) >= 0, output + " was not written");
      BufferedImage result = ImageIO.read(new ByteArrayInputStream(t.farm.blobs().get(output)));
      assertEquals(70, result.getWidth());
      assertEquals(45, result.getHeight());
      int[] expected = new int[70 * 45];
      int[] actual = new int[70 * 45];
      for (int y = 0; y < 45; y++) {
        for (int x = 0; x < 70; x++) {
          expected[y * 70 + x] = ~input.getRGB(69 - x, y) & 0xFFFFFF;
          actual[y * 70 + x] = result.getRGB(x, y) & 0xFFFFFF;
        }
      }
      assertArrayEquals(expected, actual);
      // The object outside the watched prefix made nothing (S3Proxy lists folders as keys ending in "/").
      assertEquals(java.util.List.of(output), t.farm.blobs().list("tilefarm", "processed/").stream()
          .map(dev.tilefarm.store.BlobStore.Listed::uri).filter(u -> !u.key().endsWith("/")).toList());
    }
  }
}
