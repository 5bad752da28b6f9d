package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tilefarm.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the real broker: two instances of a Kafka Streams application, by their transactional ids, are each
 * mid-transaction on the same partition; one is still a member of the application's group, the other is not (it
 * was killed and its session expired). The fencer does nothing while the group has no member at all, then aborts
 * the dead one's transaction only, so a read-committed
 * reader gets the live one's record as soon as it commits, instead of after the dead transaction's timeout.
 */
class ZombieFencerIT {
  @TempDir
  Path dir;

  @Test
  void abortsTheOpenTransactionOfAnInstanceThatLeftTheGroupAndNoOther() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
      String bs = kafka.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
        admin.createTopics(List.of(new NewTopic("out", 1, (short) 1))).all().get();
      }
      String app = "app";
      String deadId = app + "-" + UUID.randomUUID() + "-1";
      String liveProcess = UUID.randomUUID().toString();
      String liveId = app + "-" + liveProcess + "-1";
      try (KafkaProducer<String, String> dead = transactional(bs, deadId);
          KafkaProducer<String, String> live = transactional(bs, liveId);
          KafkaConsumer<String, String> member = new KafkaConsumer<>(Map.of("bootstrap.servers", bs,
              "group.id", app, "client.id", app + "-" + liveProcess + "-StreamThread-1-consumer"),
              new StringDeserializer(), new StringDeserializer())) {
        dead.beginTransaction();
        dead.send(new ProducerRecord<>("out", "k", "from the dead instance")).get();
        live.beginTransaction();
        live.send(new ProducerRecord<>("out", "k", "from the live instance")).get();
        Thread.sleep(1500); // both transactions older than the fencer's minimum age
        try (ZombieFencer fencer = ZombieFencer.start(props(bs), app, Duration.ofHours(1),
            Duration.ofSeconds(1))) {
          assertEquals(Set.of(), fencer.fenceOnce(), "a group with no member at all tells no instance dead");
          member.subscribe(List.of("out"));
          while (member.assignment().isEmpty()) {
            member.poll(Duration.ofMillis(100));
          }
          assertEquals(Set.of(deadId), fencer.fenceOnce());
          assertEquals(Set.of(), fencer.fenceOnce(), "an aborted transaction is not open any more");
        }
        live.commitTransaction();
        assertEquals(List.of("from the live instance"), readCommitted(bs, 1));
        assertThrows(KafkaException.class, dead::commitTransaction, "the dead instance's producer is fenced");
      }
    }
  }

  private static KafkaProducer<String, String> transactional(String bs, String id) {
    KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", bs, "transactional.id", id),
        new StringSerializer(), new StringSerializer());
    p.initTransactions();
    return p;
  }

  private static List<String> readCommitted(String bs, int expected) {
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bs,
        "isolation.level", "read_committed", "auto.offset.reset", "earliest", "group.id", "reader"),
        new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of("out"));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
      return values;
    }
  }

  private static java.util.Properties props(String bootstrap) {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", bootstrap);
    return p;
  }
}
