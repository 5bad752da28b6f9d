package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records near the broker's size limit on every topic a role consumes. Before dead letters had a claim check,
 * a 900 KB record became a 1.2 MB letter that the producer refused: the splitter failed on it for ever, the
 * compositor went to ERROR while /healthz said UP, and the worker's letter never arrived. Now each such record
 * is dead-lettered with its bytes in object storage (size and sha256 in the letter), every role stays up, and
 * a valid job published afterwards completes.
 */
class NearLimitRecordsIT {
  @TempDir
  Path dir;

  @Test
  void aRecordNearTheSizeLimitOnAnyTopicIsDeadLetteredWholeAndTheFarmGoesOn() throws Exception {
    try (FarmUnderFire f = new FarmUnderFire(dir)) {
      Random random = new Random(14);
      int[] sizes = {900 * 1024, FarmUnderFire.BROKER_LIMIT_VALUE};
      java.util.Map<String, byte[]> sent = new java.util.LinkedHashMap<>();
      int n = 0;
      for (String topic : f.consumedTopics()) {
        for (int size : sizes) {
          byte[] value = new byte[size];
          random.nextBytes(value);
          String key = "big-" + n++;
          assertTrue(f.publish(topic, key.getBytes(StandardCharsets.UTF_8), value), topic + " refused " + size);
          if (f.deadLettering().contains(topic)) {
            sent.put(key, value);
          }
        }
      }
      for (var e : sent.entrySet()) {
        DeadLetter d = f.awaitLetter(e.getKey(), Duration.ofMinutes(2));
        assertNull(d.valueBase64(), e.getKey());
        assertNotNull(d.valueStored(), e.getKey());
        assertNotNull(d.valueStored().uri(), e.getKey() + ": " + d.error());
        assertEquals(FarmUnderFire.sha256(e.getValue()), d.valueStored().sha256(), e.getKey());
        assertArrayEquals(e.getValue(), f.original(d, true), e.getKey());
        assertArrayEquals(e.getKey().getBytes(StandardCharsets.UTF_8), f.original(d, false), e.getKey());
      }
      var health = f.health();
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(health.body().contains("UP"), health.body());
      assertTrue(f.down().isEmpty(), f.down().toString());
      f.validJobCompletes("after-the-big-ones");
      System.out.printf("near-limit records: %d published on %d topics, %d dead-lettered with a claim check%n",
          sizes.length * f.consumedTopics().size(), f.consumedTopics().size(), sent.size());
    }
  }
}
