package dev.tilefarm.bench.pipeline;

import dev.tilefarm.schemas.S3Uri;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the farm's broker and S3 server do for a plain client, measured on them, in the units the farm uses. */
final class RawLimits {
  private RawLimits() {
  }

  /**
   * Kafka records per second, each produced and read back: {@code n} records of {@code bytes} produced by one
   * producer while one consumer reads them, both built and connected before the clock starts, so the figure is
   * the broker's and the clients' steady work, not their start-up.
   */
  static double kafkaRecordsPerSecond(String bootstrap, int n, int bytes) throws Exception {
    String topic = "bench-raw-" + System.nanoTime();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get();
    }
    byte[] value = new byte[bytes];
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pp, new ByteArraySerializer(),
            new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      p.partitionsFor(topic); // metadata fetched and connected before the clock starts
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      c.poll(Duration.ZERO);
      ExecutorService producing = Executors.newSingleThreadExecutor();
      try {
        long t0 = System.nanoTime();
        Future<?> sent = producing.submit(() -> {
          for (int i = 0; i < n; i++) {
            p.send(new ProducerRecord<>(topic, value));
          }
          p.flush();
          return null;
        });
        int got = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (got < n) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("raw Kafka: read " + got + " of " + n + " records in 5 minutes");
          }
          got += c.poll(Duration.ofMillis(100)).count();
        }
        sent.get();
        return n / ((System.nanoTime() - t0) / 1e9);
      } finally {
        producing.shutdown();
      }
    }
  }

  /** S3 objects per second, each put and then got, by {@code threads} clients side by side. */
  static double s3ObjectsPerSecond(BenchFarm farm, int n, int bytes, int threads) throws Exception {
    byte[] object = new byte[bytes];
    String prefix = "bench/raw-" + System.nanoTime() + "/";
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      farm.blobs().put(farm.blobs().uri(prefix + "warm"), object, "application/octet-stream");
      long t0 = System.nanoTime();
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = t * n / threads;
        int to = (t + 1) * n / threads;
        parts.add(pool.submit(() -> {
          for (int i = from; i < to; i++) {
            S3Uri uri = farm.blobs().uri(prefix + i);
            farm.blobs().put(uri, object, "application/octet-stream");
            farm.blobs().get(uri);
          }
          return null;
        }));
      }
      for (Future<?> f : parts) {
        f.get();
      }
      return n / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdown();
    }
  }
}
