package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.S3Uri;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

/** Tile throughput: many cheap tiles through the farm against raw Kafka and raw S3 on the same broker and server. */
final class ThroughputSection implements SharedFarmSection {
  @Override
  public Result run(Bench bench, BenchFarm farm) throws Exception {
    int side = bench.quick() ? 512 : 2048;
    int tile = 16;
    int tiles = (side / tile) * (side / tile);
    BenchStats farmRate = new BenchStats();
    BenchStats kafkaRate = new BenchStats();
    BenchStats s3Rate = new BenchStats();
    for (int i = 0; i < bench.runs(); i++) {
      ObjectNode job = Jobs.mandelbrot("throughput", side, tile, 1);
      long t0 = System.nanoTime();
      farm.complete(job);
      farmRate.add(tiles / ((System.nanoTime() - t0) / 1e9));
      kafkaRate.add(rawKafka(farm, tiles));
      s3Rate.add(rawS3(farm, Math.min(tiles, bench.quick() ? 500 : 3000), bench.threads()));
    }
    double slower = Math.min(kafkaRate.median(), s3Rate.median());
    Row row = new Row("Tile throughput, " + tiles + " cheap tiles (" + tile + "x" + tile + ")",
        farmRate.summary("%.0f tiles/s"), "raw Kafka produce+consume " + kafkaRate.summary("%.0f/s") + "; raw S3 put+get "
            + s3Rate.summary("%.0f/s"), String.format(Locale.ROOT, "%.2f of the slower", farmRate.median() / slower),
        "≥ 0.5 of the slower raw limit and ≥ 1000 tiles/s",
        farmRate.median() >= 0.5 * slower && farmRate.median() >= 1000);
    String note = "**Throughput**: each tile costs one task record, one tile object put, one result record and, at "
        + "assembly, one get. The raw limits are measured in the same run on the same broker and S3 server: Kafka as "
        + "records of a tile task's size produced and read back by one client; S3 as " + bench.threads()
        + " threads each putting then getting objects of a cheap tile's size.";
    return new Result(List.of(row), List.of(note));
  }

  private static double rawKafka(BenchFarm farm, int n) throws Exception {
    String topic = "bench-raw-" + System.nanoTime();
    String bootstrap = farm.bootstrapServers();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get();
    }
    byte[] value = new byte[600]; // about a tile task with its inline job
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, value));
      }
      p.flush();
    }
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      int got = 0;
      while (got < n) {
        got += c.poll(Duration.ofMillis(200)).count();
      }
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static double rawS3(BenchFarm farm, int n, int threads) throws Exception {
    byte[] object = new byte[200]; // a deflated 16x16 cheap tile
    String prefix = "bench/raw-" + System.nanoTime() + "/";
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    try {
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
    } finally {
      pool.shutdown();
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }
}
