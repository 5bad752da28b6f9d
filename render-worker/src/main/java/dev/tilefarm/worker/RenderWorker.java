package dev.tilefarm.worker;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.TopicAdmin;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The render-worker role: takes tile tasks from a share group (so any number of workers share one job's
 * tiles, whatever the partition count), renders several at once, stores each tile in S3 under its fixed
 * key, announces it on the tile results topic, and only then acknowledges the task. A worker that dies
 * mid-tile never acknowledges it, so the broker hands the tile to another worker when its lock expires.
 */
public final class RenderWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RenderWorker.class);

  private final WorkerConfig config;
  private final BlobStore blobs;
  private final TileMaker maker;
  private final JobSpecCache jobs;
  private final KafkaShareConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final ExecutorService pool;
  private final Thread loop;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong tilesDone = new AtomicLong();

  private RenderWorker(WorkerConfig config, BlobStore blobs) {
    this.config = config;
    this.blobs = blobs;
    this.maker = new TileMaker(blobs::get, config.inputCacheBytes());
    this.jobs = new JobSpecCache(blobs);
    this.consumer = new KafkaShareConsumer<>(consumerProperties(config), new StringDeserializer(),
        new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(),
        new org.apache.kafka.common.serialization.ByteArraySerializer());
    this.pool = Executors.newFixedThreadPool(config.threads(), r -> {
      Thread t = new Thread(r, config.workerId() + "-render");
      t.setDaemon(true);
      return t;
    });
    this.loop = new Thread(this::run, config.workerId() + "-poll");
  }

  /** Creates missing topics, makes the share group start from the earliest task, and starts taking tiles. */
  public static RenderWorker start(WorkerConfig config, BlobStore blobs) throws InterruptedException {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
      TopicAdmin.ensure(admin, config.topics(), config.layout());
      startGroupAtEarliest(admin, config.topics().groupId("render-workers"));
    }
    RenderWorker worker = new RenderWorker(config, blobs);
    worker.consumer.subscribe(List.of(config.topics().tileTasks().name()));
    worker.loop.start();
    return worker;
  }

  /**
   * A share group starts at the latest offset by default, which would skip tasks published before the
   * first worker joined. Tiles must never be skipped, so the group starts at the earliest.
   */
  private static void startGroupAtEarliest(Admin admin, String group) throws InterruptedException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
    AlterConfigOp op = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
        AlterConfigOp.OpType.SET);
    try {
      admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("configuring share group " + group + ": " + e.getMessage(), e);
    }
  }

  static Properties consumerProperties(WorkerConfig config) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.topics().groupId("render-workers"));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.workerId());
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    // Take no more tiles than this worker renders at once, leaving the rest to other workers.
    p.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.threads()));
    p.putAll(config.kafkaOverrides());
    return p;
  }

  static Properties producerProperties(WorkerConfig config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.workerId() + "-results");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    p.putAll(config.kafkaOverrides());
    return p;
  }

  /** Tiles this worker has finished (stored and announced) since it started. */
  public long tilesDone() {
    return tilesDone.get();
  }

  private void run() {
    try {
      while (running.get()) {
        ConsumerRecords<String, byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          continue;
        }
        if (records.isEmpty()) {
          continue;
        }
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        List<Future<AcknowledgeType>> outcomes = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
          batch.add(r);
          outcomes.add(pool.submit(() -> handle(r)));
        }
        for (int i = 0; i < batch.size(); i++) {
          consumer.acknowledge(batch.get(i), outcome(outcomes.get(i)));
        }
        consumer.commitAsync();
      }
    } catch (RuntimeException e) {
      log.error("worker {} stopped: {}", config.workerId(), e.toString(), e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        log.warn("closing the share consumer: {}", e.toString());
      }
      stopped.countDown();
    }
  }

  private static AcknowledgeType outcome(Future<AcknowledgeType> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AcknowledgeType.RELEASE;
    } catch (ExecutionException e) {
      log.warn("tile handler failed: {}", e.getCause().toString());
      return AcknowledgeType.RELEASE;
    }
  }

  /** Renders one task; the answer says how the broker should settle its delivery. */
  private AcknowledgeType handle(ConsumerRecord<String, byte[]> record) {
    TileTask task;
    try {
      task = config.topics().tileTasks().valueSerde().deserializer().deserialize(record.topic(), record.value());
      if (task == null) {
        throw new UndecodableException("the record has no value", null);
      }
    } catch (UndecodableException e) {
      return deadLetter(record, e.getMessage());
    }
    MDC.put("jobId", task.jobId());
    MDC.put("tileId", String.valueOf(task.tile().index()));
    int attempt = record.deliveryCount().map(Short::intValue).orElse(1);
    long start = System.nanoTime();
    try {
      JobRequest job = jobs.jobOf(task);
      TileImage tile = maker.make(job, task.tile(), task.imageWidth(), task.imageHeight());
      byte[] bytes = TileCodec.encode(tile);
      blobs.put(task.tileUri(), bytes, "application/x-tilefarm-tile");
      long renderMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      publish(new TileResult.Done(task.jobId(), task.tile(), task.tileCount(), task.imageWidth(), task.imageHeight(),
          task.output(), task.tileUri(), tile.channels(), bytes.length, sha256(bytes), renderMs, config.workerId(),
          task.acceptedAt()));
      tilesDone.incrementAndGet();
      log.debug("{} done in {} ms", task.label(), renderMs);
      return AcknowledgeType.ACCEPT;
    } catch (TileFailedException | InvalidJobException | UndecodableException | BlobNotFoundException e) {
      // Deterministic: every worker would fail the same way, so report it instead of retrying.
      return fail(task, e.getMessage());
    } catch (BlobStoreException | UncheckedIOException | KafkaException e) {
      if (e instanceof BlobStoreException b && !b.transientFault()) {
        return fail(task, e.getMessage());
      }
      return retryOrFail(task, attempt, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AcknowledgeType.RELEASE;
    } catch (RuntimeException e) {
      log.error("{} failed unexpectedly", task.label(), e);
      return fail(task, "renderer error: " + e);
    } finally {
      MDC.remove("jobId");
      MDC.remove("tileId");
    }
  }

  private AcknowledgeType retryOrFail(TileTask task, int attempt, Exception e) {
    if (attempt >= config.maxAttempts()) {
      return fail(task, "gave up after " + attempt + " attempts: " + e.getMessage());
    }
    log.warn("{} attempt {} failed, releasing it for a retry: {}", task.label(), attempt, e.toString());
    return AcknowledgeType.RELEASE;
  }

  private AcknowledgeType fail(TileTask task, String reason) {
    log.warn("{} failed: {}", task.label(), reason);
    try {
      publish(new TileResult.Failed(task.jobId(), task.tile(), task.tileCount(), reason, config.workerId(),
          task.acceptedAt()));
      return AcknowledgeType.ACCEPT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AcknowledgeType.RELEASE;
    } catch (KafkaException e) {
      return AcknowledgeType.RELEASE;
    }
  }

  private void publish(TileResult result) throws InterruptedException {
    byte[] value = config.topics().tileResults().valueSerde().serializer().serialize(null, result);
    send(new ProducerRecord<>(config.topics().tileResults().name(), result.jobId(), value));
  }

  private AcknowledgeType deadLetter(ConsumerRecord<String, byte[]> record, String error) {
    Base64.Encoder b64 = Base64.getEncoder();
    DeadLetter letter = new DeadLetter(record.topic(), record.partition(), record.offset(),
        record.key() == null ? null : b64.encodeToString(record.key().getBytes(StandardCharsets.UTF_8)),
        record.value() == null ? null : b64.encodeToString(record.value()), error, "render-worker",
        System.currentTimeMillis());
    log.warn("dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), error);
    try {
      send(new ProducerRecord<>(config.topics().deadLetter().name(), record.key(),
          config.topics().deadLetter().valueSerde().serializer().serialize(null, letter)));
      return AcknowledgeType.ACCEPT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AcknowledgeType.RELEASE;
    } catch (KafkaException e) {
      return AcknowledgeType.RELEASE;
    }
  }

  private void send(ProducerRecord<String, byte[]> record) throws InterruptedException {
    try {
      producer.send(record).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new KafkaException("publishing to " + record.topic() + " timed out", e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops taking tiles, finishes and settles the tiles in hand, then disconnects. */
  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      if (!stopped.await(60, TimeUnit.SECONDS)) {
        log.warn("worker {} did not stop within 60 s", config.workerId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
    producer.close(Duration.ofSeconds(10));
  }
}
