package dev.tilefarm.api;

import dev.tilefarm.embedded.EmbeddedKafka;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topic;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.schemas.WorkerStatus;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.store.TileKeys;
import dev.tilefarm.testing.TestStack;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real broker and S3 server with the HTTP API on them, and the test in the roles' place: it publishes
 * job events, stores tiles and announces them exactly as the splitter, workers and compositor would, so
 * that every state the API and dashboard can show is reached on purpose, one step at a time.
 */
final class FakeFarm implements AutoCloseable {
  static final String BUCKET = "tilefarm";
  private final TestStack stack;
  final EmbeddedKafka kafka;
  final BlobStore blobs;
  final Topics topics = new Topics("tilefarm.");
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final HttpApi api;
  final HttpClient http = HttpClient.newHttpClient();
  private final KafkaProducer<String, byte[]> producer;

  FakeFarm(Path dir, String token) throws Exception {
    stack = TestStack.start(dir, "test", "test-secret", BUCKET);
    kafka = stack.kafka();
    blobs = stack.blobs();
    api = HttpApi.start(new ApiConfig(kafka.bootstrapServers(), topics, new TopicLayout(2, Map.of(), (short) -1),
        "127.0.0.1", 0, token, ApiConfig.DEFAULT_PRESIGN_TTL, 100), blobs, registry);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  URI url(String path) {
    return api.uri().resolve(path);
  }

  void event(JobEvent e) throws Exception {
    producer.send(new ProducerRecord<>(topics.jobEvents().name(), e.jobId(),
        topics.jobEvents().valueSerde().serializer().serialize(null, e))).get();
  }

  /** Stores a tile of solid colour {@code rgb} and announces it, as a worker does. */
  void tile(String jobId, TileRect rect, int tileCount, int w, int h, int rgb, long renderMs) throws Exception {
    byte[] px = new byte[rect.width() * rect.height() * 3];
    for (int i = 0; i < px.length; i += 3) {
      px[i] = (byte) (rgb >> 16);
      px[i + 1] = (byte) (rgb >> 8);
      px[i + 2] = (byte) rgb;
    }
    S3Uri uri = TileKeys.tile(BUCKET, jobId, rect.index());
    byte[] bytes = TileCodec.encode(new TileImage(rect.width(), rect.height(), 3, px));
    blobs.put(uri, bytes, "application/x-tilefarm-tile");
    TileTask task = new TileTask(jobId, tileCount, w, h, TileKeys.defaultOutput(BUCKET, jobId), uri, 1L, null,
        TileKeys.jobSpec(BUCKET, jobId), null, TileTask.Work.Tile.of(rect));
    result(TileResult.Done.of(task, TileResult.Stored.pixels(3, bytes.length, "00", renderMs, "worker-a", null)));
  }

  void result(TileResult r) throws Exception {
    producer.send(new ProducerRecord<>(topics.tileResults().name(), r.jobId(),
        topics.tileResults().valueSerde().serializer().serialize(null, r))).get();
  }

  void deadLetter(DeadLetter d) throws Exception {
    producer.send(new ProducerRecord<>(topics.deadLetter().name(), "k",
        topics.deadLetter().valueSerde().serializer().serialize(null, d))).get();
  }

  /** Publishes a worker's heartbeat, or with {@code status} null its tombstone, as a worker does. */
  void heartbeat(String worker, WorkerStatus status) throws Exception {
    producer.send(new ProducerRecord<>(topics.workers().name(), worker,
        status == null ? null : topics.workers().valueSerde().serializer().serialize(null, status))).get();
  }

  /** Publishes {@code count} tile tasks of job {@code jobId} to {@code topic}, as the splitter does. */
  void tasks(Topic<String, TileTask> topic, String jobId, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      TileTask task = new TileTask(jobId, count, count * 8, 8, TileKeys.defaultOutput(BUCKET, jobId),
          TileKeys.tile(BUCKET, jobId, i), 1L, null, S3Uri.parse("s3://" + BUCKET + "/jobs/" + jobId + ".json"), null,
          TileTask.Work.Tile.of(new TileRect(i, i * 8, 0, 8, 8)));
      producer.send(new ProducerRecord<>(topic.name(), jobId + "/" + i,
          topic.valueSerde().serializer().serialize(null, task))).get();
    }
  }

  void rawJob(String key, String json) throws Exception {
    producer.send(new ProducerRecord<>(topics.jobs().name(), key, json.getBytes(StandardCharsets.UTF_8))).get();
  }

  /** Every record on the jobs topic so far, as text. */
  List<ConsumerRecord<String, String>> jobRecords() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = c.partitionsFor(topics.jobs().name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      List<ConsumerRecord<String, String>> out = new ArrayList<>();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(),
              new String(r.value(), StandardCharsets.UTF_8)));
        }
      }
      return out;
    }
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String contentType, byte[] body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code path} until its body contains {@code text}; the caller's test timeout bounds it. */
  String awaitBody(String path, String token, String text) throws Exception {
    while (true) {
      HttpResponse<String> r = get(path, token);
      if (r.statusCode() == 200 && r.body().contains(text)) {
        return r.body();
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws Exception {
    api.close();
    producer.close();
    stack.close();
  }
}
