package dev.tilefarm.worker;

import dev.tilefarm.embedded.EmbeddedKafka;
import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.S3Settings;
import dev.tilefarm.store.TileKeys;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real embedded broker and S3 server for render workers started in the test's JVM, with every topic in one
 * partition (so that every member of a share group shares the one task partition), a producer of tile tasks
 * and a reader of tile results. No splitter or compositor: the test publishes tasks as the splitter would.
 */
final class WorkerStack implements AutoCloseable {
  static final String BUCKET = "tiles";
  final EmbeddedKafka kafka;
  final EmbeddedS3 s3;
  final BlobStore blobs;
  final Topics topics = new Topics(Topics.DEFAULT_PREFIX);
  final TopicLayout layout = new TopicLayout(1, Map.of(), (short) 1);
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> results;
  private final List<TileResult> seen = new ArrayList<>();

  WorkerStack(Path dir) throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    s3 = EmbeddedS3.start(dir.resolve("s3"), 0, "access", "secret-key", BUCKET);
    blobs = BlobStore.connect(s3Settings(s3.endpoint()));
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(),
        new ByteArraySerializer());
    results = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** The S3 server's settings, reached at {@code endpoint} (the server itself, or a proxy in front of it). */
  S3Settings s3Settings(URI endpoint) {
    return new S3Settings(endpoint, s3.region(), s3.accessKey(), s3.secretKey(), true, BUCKET);
  }

  /** A worker's settings: one render thread, 5 attempts, and the given lock duration and in-place retry time. */
  WorkerConfig config(String workerId, Duration lockDuration, Duration transientRetry) {
    return new WorkerConfig(kafka.bootstrapServers(), topics, layout, workerId, 1, 5, 0, Map.of(), lockDuration,
        Duration.ofSeconds(5), transientRetry, 3);
  }

  /** The one-tile task of a {@code side x side} Mandelbrot job whose scene is {@code sceneJson}. */
  static TileTask mandelbrotTask(String jobId, int side, String sceneJson) {
    String job = "{\"id\":\"" + jobId + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":" + side
        + ",\"height\":" + side + ",\"tileSize\":" + Math.max(8, Math.min(side, 4096)) + ",\"samples\":1"
        + ",\"scene\":" + sceneJson + "}";
    return new TileTask(jobId, 1, side, side,
        S3Uri.parse("s3://" + BUCKET + "/out/" + jobId + ".png"), TileKeys.tile(BUCKET, jobId, 0),
        System.currentTimeMillis(), JobCodec.parse(job.getBytes(StandardCharsets.UTF_8)), null, null,
        new TileTask.Work.Tile(new TileRect(0, 0, 0, side, side), null));
  }

  void publish(TileTask task) throws Exception {
    producer.send(new ProducerRecord<>(topics.tileTasks().name(), task.jobId() + "/" + task.tile().index(),
        topics.tileTasks().valueSerde().serializer().serialize(null, task))).get();
  }

  /** The tile results published so far (read on for up to {@code wait}), in order. */
  List<TileResult> results(Duration wait) {
    if (results.assignment().isEmpty()) {
      TopicPartition tp = new TopicPartition(topics.tileResults().name(), 0);
      results.assign(List.of(tp));
      results.seekToBeginning(List.of(tp));
    }
    for (ConsumerRecord<String, byte[]> r : results.poll(wait)) {
      seen.add(topics.tileResults().valueSerde().deserializer().deserialize(r.topic(), r.value()));
    }
    return List.copyOf(seen);
  }

  /** The DONE results of {@code jobId} so far. */
  List<TileResult.Done> done(String jobId, Duration wait) {
    return results(wait).stream().filter(r -> r instanceof TileResult.Done && r.jobId().equals(jobId))
        .map(TileResult.Done.class::cast).toList();
  }

  /** Waits up to {@code timeout} for a first DONE of {@code jobId}; null if none came. */
  TileResult.Done awaitDone(String jobId, Duration timeout) {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      List<TileResult.Done> done = done(jobId, Duration.ofMillis(200));
      if (!done.isEmpty()) {
        return done.get(0);
      }
    }
    return null;
  }

  @Override
  public void close() {
    results.close();
    producer.close();
    blobs.close();
    s3.close();
    kafka.close();
  }
}
