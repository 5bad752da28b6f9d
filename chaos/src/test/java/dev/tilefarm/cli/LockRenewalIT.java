package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the render worker relies on, checked on the real broker: a record renewed with RENEW stays with its
 * consumer past its lock duration, with its delivery count unchanged, while another consumer of the group
 * polls the whole time and never gets it; and the renewed record comes back to its holder on the next poll
 * (KAFKA-20458), where it must be settled again.
 */
class LockRenewalIT {
  @TempDir
  Path dir;

  @Test
  void aRenewedRecordStaysWithItsHolderBeyondTheLock() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
      String bs = kafka.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
        admin.createTopics(List.of(new NewTopic("tiles", 1, (short) 1))).all().get();
        List<AlterConfigOp> ops = new ArrayList<>();
        Map.of("share.auto.offset.reset", "earliest", "share.record.lock.duration.ms", "15000",
            "share.renew.acknowledge.enable", "true")
            .forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, "g"), ops)).all().get();
      }
      try (var p = new KafkaProducer<String, String>(Map.of("bootstrap.servers", bs), new StringSerializer(),
          new StringSerializer())) {
        p.send(new ProducerRecord<>("tiles", "t0", "long tile")).get();
      }
      try (var holder = consumer(bs, "holder"); var other = consumer(bs, "other")) {
        holder.subscribe(List.of("tiles"));
        other.subscribe(List.of("tiles"));
        ConsumerRecord<String, String> held = null;
        while (held == null) {
          for (ConsumerRecord<String, String> r : holder.poll(Duration.ofMillis(500))) {
            held = r;
          }
          other.poll(Duration.ofMillis(10)).forEach(r -> other.acknowledge(r, AcknowledgeType.RELEASE));
        }
        holder.acknowledge(held, AcknowledgeType.RENEW);
        holder.commitSync();
        long start = System.nanoTime();
        int echoes = 0;
        // 25 s: well past the 15 s lock. Renew every 5 s, as the worker does every third of the lock.
        long nextRenew = start + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() - start < Duration.ofSeconds(25).toNanos()) {
          for (ConsumerRecord<String, String> r : other.poll(Duration.ofMillis(200))) {
            throw new AssertionError("another consumer got the held record (delivery " + r.deliveryCount() + ")");
          }
          if (System.nanoTime() >= nextRenew) {
            for (ConsumerRecord<String, String> r : holder.poll(Duration.ofMillis(2000))) {
              assertEquals(held.offset(), r.offset());
              assertEquals(held.deliveryCount(), r.deliveryCount(), "a renewal is not a redelivery");
              echoes++;
              holder.acknowledge(r, AcknowledgeType.RENEW);
            }
            holder.commitSync();
            nextRenew += Duration.ofSeconds(5).toNanos();
          }
        }
        assertTrue(echoes >= 3, "the renewed record came back to its holder on each poll: " + echoes);
      }
    }
  }

  private static KafkaShareConsumer<String, String> consumer(String bs, String id) {
    Properties c = new Properties();
    c.put("bootstrap.servers", bs);
    c.put("group.id", "g");
    c.put("client.id", id);
    c.put("share.acknowledgement.mode", "explicit");
    c.put("share.acquire.mode", "record_limit");
    c.put("max.poll.records", "1");
    return new KafkaShareConsumer<>(c, new StringDeserializer(), new StringDeserializer());
  }
}
