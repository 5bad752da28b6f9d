package dev.tilefarm.worker;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.TopicAdmin;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.schemas.WorkerStatus;
import dev.tilefarm.store.TileKeys;
import dev.tilefarm.worker.render.RenderContext;
import dev.tilefarm.worker.render.external.TileLog;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TilePack;
import dev.tilefarm.worker.ops.TileProcessor;
import dev.tilefarm.store.TileImage;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The render-worker role: takes tile tasks from a share group (so any number of workers share one job's
 * tiles, whatever the partition count), renders several at once, stores each tile in S3 under its fixed
 * key, announces it on the tile results topic, and only then acknowledges the task.
 *
 * <p>How a delivery is settled:
 * <ul>
 *   <li>Made, stored and announced: ACCEPT.
 *   <li>Still being made: RENEW, every third of the lock duration, so a tile of any length keeps its claim
 *       without the broker handing it to a second worker. (Kafka 4.3 then hands the renewed record to this
 *       consumer again on its next poll, KAFKA-20458; the worker recognises it by partition and offset as
 *       the tile it is already making, and settles that delivery in turn.)
 *   <li>A fault that may pass (storage or broker away): retried in place with backoff for
 *       {@code transientRetry}, then RELEASE for another delivery; an unexpected renderer error: RELEASE at
 *       once, and it counts towards this worker's blocklist. When a tile has been delivered
 *       {@code maxAttempts} times, the next such failure is final: the task goes to the dead-letter topic with
 *       the reason and a FAILED tile result ends the job.
 *   <li>A fault every worker would hit (bad scene, bad op, unreadable input): a FAILED result at once.
 *   <li>Its job ended (cancelled, failed) or its deadline passed: ACCEPT without making it; a tile being
 *       made for such a job is abandoned: its pixels are neither stored nor announced.
 *   <li>Its job is blocklisted here: RELEASE, for another worker.
 * </ul>
 * A worker that dies never settles its tiles, and the broker gives them to another worker when their lock
 * runs out ({@code lockDuration}). On {@link #close} (SIGTERM) a worker takes no new tiles, finishes those in
 * hand for up to {@code shutdownGrace}, and releases the rest.
 */
public final class RenderWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RenderWorker.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  /**
   * Tiles a worker holds per render thread from the shared task topic: one being rendered, one being stored or
   * waiting, so that a thread has its next tile while the last is stored and the poll goes out. From an external
   * renderer's topic one: its tiles are long, and a second one waiting here would keep it from an idle worker.
   */
  static final int TILES_PER_THREAD = 2;
  /** Store-and-announce threads per render thread: storing a quick tile takes longer than making it. */
  private static final int IO_THREADS_PER_THREAD = 4;
  /** How long a batch runs before a thread that finished early takes new tiles (renewing the rest). */
  private static final long REFILL_AFTER_MS = 100;

  /** A tile in hand: the delivery to settle, the render in progress, and its outcome once known. */
  private static final class Tile {
    final Lane lane;
    final TileTask task;
    volatile ConsumerRecord<String, byte[]> record;
    volatile Future<?> future;
    volatile AcknowledgeType outcome;
    volatile boolean abandoned;
    /** Made and handed to a store thread: its render thread is free. */
    volatile boolean rendered;

    Tile(Lane lane, TileTask task, ConsumerRecord<String, byte[]> record) {
      this.lane = lane;
      this.task = task;
      this.record = record;
    }
  }

  private record Key(String topic, int partition, long offset) {
    static Key of(ConsumerRecord<?, ?> r) {
      return new Key(r.topic(), r.partition(), r.offset());
    }
  }

  private final WorkerConfig config;
  private final BlobStore blobs;
  private final TileMaker maker;
  private final JobSpecCache jobs;
  private final JobWatch watch;
  private final Blocklist blocklist;
  private final List<Lane> lanes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final KafkaProducer<String, byte[]> producer;
  private final ExecutorService pool;
  /** Stores and announces made tiles, so that render threads never wait on storage or the broker. */
  private final ExecutorService storing;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong tilesDone = new AtomicLong();
  private final WorkerMetrics metrics;
  private final DeadLetters letters;
  private final java.util.concurrent.ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-heartbeat");
        t.setDaemon(true);
        return t;
      });

  private RenderWorker(WorkerConfig config, BlobStore blobs) {
    this.config = config;
    this.blobs = blobs;
    this.maker = new TileMaker(blobs::get, blobs::get, config.inputCacheBytes(), config.limits());
    this.jobs = new JobSpecCache(blobs);
    this.letters = new DeadLetters(blobs, "render-worker", DeadLetters.maxRequestSize(config.kafkaOverrides()));
    this.blocklist = new Blocklist(config.blocklistAfter(), WorkerConfig.BLOCKLIST_TIME);
    Properties plain = new Properties();
    plain.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    plain.putAll(config.kafkaOverrides());
    this.watch = new JobWatch(plain, config.topics(), config.workerId());
    this.producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
    this.pool = Executors.newFixedThreadPool(config.threads(), r -> {
      Thread t = new Thread(r, config.workerId() + "-render");
      t.setDaemon(true);
      return t;
    });
    this.storing = Executors.newFixedThreadPool(config.threads() * IO_THREADS_PER_THREAD, r -> {
      Thread t = new Thread(r, config.workerId() + "-store");
      t.setDaemon(true);
      return t;
    });
    // The global registry: the process that runs the worker decides where meters go (see the CLI's /metrics).
    this.metrics = new WorkerMetrics(io.micrometer.core.instrument.Metrics.globalRegistry, config.workerId(),
        producer, () -> {
          Map<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric> all = new HashMap<>();
          for (Lane lane : lanes) {
            all.putAll(lane.consumer.metrics());
          }
          return all;
        });
  }

  /** Creates missing topics, configures the share group (see {@link #configureGroup}) and starts taking tiles. */
  public static RenderWorker start(WorkerConfig config, BlobStore blobs) throws InterruptedException {
    Map<String, Object> adminProps = new HashMap<>();
    adminProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    config.kafkaOverrides().forEach((k, v) -> {
      if (org.apache.kafka.clients.admin.AdminClientConfig.configNames().contains(k)) {
        adminProps.put(k, v);
      }
    });
    RenderWorker worker = new RenderWorker(config, blobs);
    // The shared tile topic, plus the topic of each renderer this machine has: tiles of a renderer it lacks
    // never reach it (TileRenderer.available()).
    List<String> taskTopics = new ArrayList<>();
    for (String renderer : worker.maker.renderers()) {
      String topic = config.topics().tileTasksFor(renderer).name();
      if (!taskTopics.contains(topic)) {
        taskTopics.add(topic);
      }
    }
    for (String renderer : JobRequest.Render.EXTERNAL_RENDERERS) {
      String why = worker.maker.unavailable(renderer);
      if (why != null) {
        log.info("worker {} does not take {} tiles: {}", config.workerId(), renderer, why);
      }
    }
    // One share group per task topic: the broker balances a group's partitions over its members by count
    // across all the group's topics, so in one group for all of them an idle renderer's topic would stand in for
    // a share of the busy one's (one worker would get every tile-tasks partition and another none).
    try (Admin admin = Admin.create(adminProps)) {
      TopicAdmin.ensure(admin, config.topics(), config.layout());
      for (String topic : taskTopics) {
        configureGroup(admin, config, config.topics().taskGroup(topic));
      }
    }
    worker.watch.start();
    for (String topic : taskTopics) {
      worker.lanes.add(worker.new Lane(topic));
    }
    worker.metrics.bindConsumerMetrics();
    worker.heartbeat();
    worker.heartbeats.scheduleAtFixedRate(worker::heartbeat, WorkerStatus.INTERVAL_MS, WorkerStatus.INTERVAL_MS,
        TimeUnit.MILLISECONDS);
    worker.lanes.forEach(Lane::start);
    return worker;
  }

  /**
   * The share group's settings, which every worker sets alike at start-up:
   * <ul>
   *   <li>start at the earliest task (a share group starts at the latest by default, which would skip tasks
   *       published before the first worker joined);
   *   <li>read committed: the splitter publishes tasks in transactions, and an aborted one's tasks must not
   *       be made;
   *   <li>the lock duration (how long a silent worker keeps a tile) and RENEW acknowledgements on;
   *   <li>the delivery count limit above {@code maxAttempts}, see {@link WorkerConfig#DELIVERY_LIMIT}.
   * </ul>
   */
  private static void configureGroup(Admin admin, WorkerConfig config, String group) throws InterruptedException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
    List<AlterConfigOp> ops = new ArrayList<>();
    Map.of("share.auto.offset.reset", "earliest",
        "share.isolation.level", "read_committed",
        "share.record.lock.duration.ms", String.valueOf(config.lockDuration().toMillis()),
        "share.renew.acknowledge.enable", "true",
        "share.delivery.count.limit", String.valueOf(WorkerConfig.DELIVERY_LIMIT))
        .forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
    try {
      admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("configuring share group " + group + " (lock duration "
          + config.lockDuration().toMillis() + " ms): " + cause.getMessage(), cause);
    }
  }

  static Properties consumerProperties(WorkerConfig config, String group, int tilesPerThread) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    // The worker's id in the shared topic's group (which the API counts workers by), suffixed in the others.
    String shared = config.topics().taskGroup(config.topics().tileTasks().name());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, group.equals(shared) ? config.workerId()
        : config.workerId() + group.substring(shared.length()));
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    // Take no more tiles than this worker can keep busy with, leaving the rest to other workers: one being
    // rendered and one being stored (or waiting for the renderer) per thread. Renewed tiles come back on each
    // poll and count against this too, so the worker never holds more.
    p.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.threads() * tilesPerThread));
    config.kafkaOverrides().forEach((k, v) -> {
      if (ConsumerConfig.configNames().contains(k)) {
        p.put(k, v);
      }
    });
    return p;
  }

  static Properties producerProperties(WorkerConfig config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.workerId() + "-results");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    config.kafkaOverrides().forEach((k, v) -> {
      if (ProducerConfig.configNames().contains(k)) {
        p.put(k, v);
      }
    });
    return p;
  }

  /** Publishes this worker's renderers on the workers topic, so the splitter knows what the farm can render. */
  private void heartbeat() {
    // Scenes and inputs kept between tiles go with their job, even one over its cache's budget.
    java.util.function.Predicate<String> ended = jobId -> watch.endOf(jobId) != null;
    maker.forget(ended);
    jobs.forget(ended);
    WorkerStatus status = new WorkerStatus(config.workerId(), maker.renderers(), config.threads(),
        System.currentTimeMillis());
    producer.send(new ProducerRecord<>(config.topics().workers().name(), config.workerId(),
        config.topics().workers().valueSerde().serializer().serialize(null, status)), (m, e) -> {
          if (e != null) {
            log.warn("publishing worker {}'s heartbeat: {}", config.workerId(), e.toString());
          }
        });
  }

  /**
   * Why the worker is not taking tiles, or null while it is: a poll loop that stopped on an error (a worker
   * that is being closed is not failing).
   */
  public String failure() {
    if (!running.get()) {
      return null;
    }
    for (Lane lane : lanes) {
      if (lane.stopped.getCount() == 0) {
        return "its poll loop " + lane.loop.getName() + " stopped";
      }
    }
    return null;
  }

  /** Tiles this worker has finished (stored and announced) since it started. */
  public long tilesDone() {
    return tilesDone.get();
  }

  /**
   * The tiles of one task topic: a share consumer in that topic's group, with the loop that polls it and settles
   * its deliveries. The lanes of a worker share its render and store threads.
   */
  private final class Lane {
    private final KafkaShareConsumer<String, byte[]> consumer;
    private final Thread loop;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<Key, Tile> inFlight = new HashMap<>();
    private final BlockingQueue<Tile> finished = new LinkedBlockingQueue<>();

    Lane(String topic) {
      this.consumer = new KafkaShareConsumer<>(consumerProperties(config, config.topics().taskGroup(topic),
          topic.equals(config.topics().tileTasks().name()) ? TILES_PER_THREAD : 1),
          new StringDeserializer(), new ByteArrayDeserializer());
      consumer.subscribe(List.of(topic));
      this.loop = new Thread(this::run, config.workerId() + "-poll-" + topic);
    }

    void start() {
      loop.start();
    }

    private void run() {
      long graceEnd = Long.MAX_VALUE;
      try {
        while (true) {
          boolean stopping = !running.get();
          if (stopping && graceEnd == Long.MAX_VALUE) {
            graceEnd = System.nanoTime() + config.shutdownGrace().toNanos();
            log.info("worker {} stopping: finishing {} tiles in hand", config.workerId(), inFlight.size());
          }
          if (stopping && (inFlight.isEmpty() || System.nanoTime() > graceEnd)) {
            for (Tile t : inFlight.values()) {
              t.abandoned = true;
              t.future.cancel(true);
            }
            if (!inFlight.isEmpty()) {
              log.info("releasing {} unfinished tiles to other workers", inFlight.size());
            }
            break; // closing the consumer releases whatever is still unsettled
          }
          ConsumerRecords<String, byte[]> records;
          long polledAt = System.nanoTime();
          try {
            records = consumer.poll(Duration.ofMillis(inFlight.isEmpty() ? 200 : 50));
            polledAt = System.nanoTime();
          } catch (WakeupException e) {
            continue;
          }
          List<Tile> batch = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> r : records) {
            Tile held = inFlight.get(Key.of(r));
            if (held != null) {
              held.record = r; // a renewed tile handed back: the same work, a new delivery to settle
              batch.add(held);
              continue;
            }
            if (stopping) {
              ack(r, AcknowledgeType.RELEASE);
              continue;
            }
            Tile tile;
            try {
              tile = admit(r);
            } catch (RuntimeException e) {
              // A record that decodes but that no tile can be made of (a field missing, say): never the lane's end.
              log.warn("{}-{}@{}: not a tile task the worker can take: {}", r.topic(), r.partition(), r.offset(),
                  e.toString());
              ack(r, deadLetter(r, "not a tile task the worker can take: " + e));
              continue;
            }
            if (tile != null) {
              inFlight.put(Key.of(r), tile);
              tile.future = pool.submit(() -> make(tile));
              batch.add(tile);
            }
          }
          if (!batch.isEmpty()) {
            awaitChange(batch, stopping ? graceEnd : Long.MAX_VALUE, polledAt);
            settle(batch, stopping && System.nanoTime() > graceEnd);
          }
          if (!records.isEmpty()) {
            consumer.commitAsync();
          }
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

    /**
     * Waits until every tile of the batch is finished or its job ended, a renewal is due, or the grace runs out;
     * or, once {@link #REFILL_AFTER_MS} have passed since the batch came, until a render thread is idle while some
     * tile of the batch is finished, so that the idle thread gets new work. Tiles still in hand are then renewed
     * (the next poll cannot come before every tile of the last one is settled), and a poll that follows renewals
     * waits on the broker busily, so it is done only when a thread would otherwise idle: never while every render
     * thread is busy or has a tile queued.
     */
    private void awaitChange(List<Tile> batch, long graceEnd, long polledAt) {
      long renewBy = polledAt + config.renewInterval().toNanos();
      long refillAt = polledAt + TimeUnit.MILLISECONDS.toNanos(REFILL_AFTER_MS);
      try {
        while (true) {
          int settled = 0;
          int rendering = 0;
          for (Tile t : batch) {
            if (t.outcome != null || ended(t.task) != null) {
              settled++;
            } else if (!t.rendered) {
              rendering++;
            }
          }
          long now = System.nanoTime();
          boolean idleThread = settled > 0 && rendering < config.threads();
          if (settled == batch.size() || (idleThread && now >= refillAt)) {
            return;
          }
          long until = Math.min(renewBy, graceEnd);
          if (idleThread) {
            until = Math.min(until, refillAt);
          }
          if (now >= until || (!running.get() && graceEnd == Long.MAX_VALUE)) {
            return;
          }
          finished.poll(Math.min(until - now, TimeUnit.MILLISECONDS.toNanos(250)), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void settle(List<Tile> batch, boolean graceOver) {
      for (Tile t : batch) {
        Key key = Key.of(t.record);
        String end = ended(t.task);
        if (t.outcome != null) {
          ack(t.record, t.outcome);
          inFlight.remove(key);
        } else if (end != null) {
          abandon(t, end);
          ack(t.record, AcknowledgeType.ACCEPT);
          inFlight.remove(key);
        } else if (graceOver) {
          abandon(t, "the worker is stopping");
          ack(t.record, AcknowledgeType.RELEASE);
          inFlight.remove(key);
        } else {
          ack(t.record, AcknowledgeType.RENEW);
        }
      }
      finished.removeIf(t -> !inFlight.containsValue(t));
    }

    private void ack(ConsumerRecord<String, byte[]> r, AcknowledgeType type) {
      try {
        consumer.acknowledge(r, type);
      } catch (IllegalStateException | KafkaException e) {
        // The delivery is no longer ours to settle (its lock ran out, the broker restarted): the broker
        // redelivers the tile and the work is redone, with the same bytes.
        log.warn("could not {} {}-{}@{}: {}", type, r.topic(), r.partition(), r.offset(), e.toString());
      }
    }

    /** Decides about a new delivery; returns the tile to make, or null if it was settled here. */
    private Tile admit(ConsumerRecord<String, byte[]> r) {
      TileTask task;
      try {
        task = config.topics().tileTasks().valueSerde().deserializer().deserialize(r.topic(), r.value());
        if (task == null) {
          throw new UndecodableException("the record has no value", null);
        }
      } catch (UndecodableException e) {
        ack(r, deadLetter(r, e.getMessage()));
        return null;
      }
      String end = ended(task);
      if (end != null) {
        log.debug("{}: skipped, {}", task.label(), end);
        ack(r, AcknowledgeType.ACCEPT);
        return null;
      }
      int delivery = r.deliveryCount().map(Short::intValue).orElse(1);
      // From its max-attempts-th delivery a tile is made even here: a release would only use up deliveries
      // (the broker's count includes them) and delay the final failure the docs promise at max-attempts.
      if (Blocklist.releases(blocklist.blocked(task.jobId(), System.currentTimeMillis()), delivery,
          config.maxAttempts())) {
        log.info("{}: released, this worker has failed the job repeatedly", task.label());
        ack(r, AcknowledgeType.RELEASE);
        return null;
      }
      return new Tile(this, task, r);
    }
  }

  private void abandon(Tile t, String why) {
    t.abandoned = true;
    t.future.cancel(true);
    log.info("{}: abandoned ({})", t.task.label(), why);
  }

  /** Why the task's job needs no more tiles, or null: a CANCEL on the job control topic, or its deadline passed. */
  private String ended(TileTask task) {
    String end = watch.endOf(task.jobId());
    if (end != null) {
      return "the job is " + end;
    }
    if (task.deadline() != null && System.currentTimeMillis() > task.deadline()) {
      return "the job's time limit ran out";
    }
    return null;
  }

  /**
   * What a render thread hands to the store step: the stored object's bytes and type, the tile result to
   * announce once they are stored, and a report to keep beside them (or null).
   */
  private record Output(List<TileResult.Done> results, byte[] bytes, String contentType, byte[] report,
      JobRequest job, long startNanos) {
    Output(TileResult.Done result, byte[] bytes, String contentType, byte[] report, JobRequest job, long startNanos) {
      this(List.of(result), bytes, contentType, report, job, startNanos);
    }
  }

  /**
   * Makes one tile on a render thread, then hands it to an I/O thread that stores and announces it, so the
   * render thread takes the next tile meanwhile. Sets the tile's outcome (how the broker should settle its
   * delivery) when it is known.
   */
  private void make(Tile t) {
    Object made = render(t);
    if (made instanceof AcknowledgeType outcome) {
      finish(t, outcome);
      return;
    }
    Output out = (Output) made;
    t.rendered = true;
    try {
      storing.execute(() -> finish(t, store(t, out)));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      finish(t, AcknowledgeType.RELEASE); // the worker is closing
    }
  }

  private void finish(Tile t, AcknowledgeType outcome) {
    t.outcome = outcome;
    t.lane.finished.add(t);
  }

  /** What one attempt at a step of a tile gives: an {@link Output} to store, or how to settle the delivery. */
  @FunctionalInterface
  private interface Attempt {
    Object run() throws InterruptedException;
  }

  /**
   * Runs a step of a tile (on its thread), retrying a storage or broker fault that may pass in place, with backoff,
   * for up to the transient retry time; then the tile is released, or given up after its last delivery. Any
   * other fault is unexpected (see {@link #unexpected}).
   */
  private Object retrying(Tile t, Attempt attempt) {
    TileTask task = t.task;
    MDC.put("jobId", task.jobId());
    MDC.put("tileId", String.valueOf(task.tile().index()));
    int delivery = t.record.deliveryCount().map(Short::intValue).orElse(1);
    long retryUntil = System.nanoTime() + config.transientRetry().toNanos();
    long backoffMs = 250;
    try {
      while (true) {
        try {
          return attempt.run();
        } catch (BlobStoreException | UncheckedIOException | KafkaException e) {
          if (e instanceof BlobStoreException b && !b.transientFault()) {
            return fail(task, e.getMessage());
          }
          if (t.abandoned) {
            return AcknowledgeType.RELEASE;
          }
          if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) > retryUntil) {
            return releaseOrGiveUp(t, delivery, e);
          }
          log.info("{}: {}; retrying in {} ms", task.label(), e.getMessage(), backoffMs);
          metrics.tileRetried();
          Thread.sleep(backoffMs);
          backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AcknowledgeType.RELEASE;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      return unexpected(t, delivery, e);
    } finally {
      MDC.remove("jobId");
      MDC.remove("tileId");
    }
  }

  /** Renders and encodes a tile: an {@link Output} to store, or the outcome when there is nothing to store. */
  private Object render(Tile t) {
    return retrying(t, () -> renderOnce(t));
  }

  private Object renderOnce(Tile t) throws InterruptedException {
    TileTask task = t.task;
    long start = System.nanoTime();
    boolean external = false;
    TileLog tileLog = new TileLog();
    try {
      JobRequest job = jobs.jobOf(task);
      external = job instanceof JobRequest.Render r && JobRequest.Render.EXTERNAL_RENDERERS.contains(r.renderer());
      int frameIndex = task.frameTiles() == null ? 0 : task.tile().index() / task.frameTiles();
      if (job instanceof JobRequest.Process process) {
        // Process jobs may run in passes: a statistics pass stores JSON, the last pass pixels (ChainPlan).
        TileProcessor.Made made = maker.process(process, task);
        byte[] bytes = made.image() != null ? TileCodec.encode(made.image()) : made.stats();
        long renderMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new Output(new TileResult.Done(task.jobId(), task.tile(), task.tileCount(), task.imageWidth(),
            task.imageHeight(), task.output(), task.tileUri(), made.image() != null ? made.image().channels() : 1,
            bytes.length, sha256(bytes), renderMs, config.workerId(), task.acceptedAt(), null, null, null,
            made.image() == null ? task.passIndex() : null), bytes,
            made.image() != null ? "application/x-tilefarm-tile" : "application/json", made.report(), job, start);
      }
      if (task.pack() != null) {
        return renderPack(t, job, start);
      }
      TileImage tile = maker.make(job, task.tile(), task.imageWidth(), task.imageHeight(),
          new RenderContext(task.frame(), frameIndex, task.deadline() == null ? 0 : task.deadline(), tileLog,
              new ProgressThrottle(fraction -> publishProgress(t, fraction))));
      S3Uri logUri = external ? storeLog(task, tileLog) : null;
      byte[] bytes = TileCodec.encode(tile);
      long renderMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      return new Output(new TileResult.Done(task.jobId(), task.tile(), task.tileCount(), task.imageWidth(),
          task.imageHeight(), task.output(), task.tileUri(), tile.channels(), bytes.length, sha256(bytes), renderMs,
          config.workerId(), task.acceptedAt(), task.frame(), task.frameTiles(), logUri), bytes,
          "application/x-tilefarm-tile", null, job, start);
    } catch (TileFailedException | InvalidJobException | UndecodableException | BlobNotFoundException e) {
      // Deterministic: every worker would fail the same way, so report it instead of retrying.
      return fail(task, e.getMessage(), external ? storeLog(task, tileLog) : null);
    }
  }

  /**
   * Makes every tile of a packed task, each exactly as it would be made alone, into one tile pack; each tile's
   * result names its part. Only built-in renderers' tiles are packed (the splitter's TilePacking).
   */
  private Output renderPack(Tile t, JobRequest job, long start) throws InterruptedException, TileFailedException {
    TileTask task = t.task;
    if (!(job instanceof JobRequest.Render)) {
      throw new TileFailedException(task.label() + ": only render jobs' tiles are made in packs");
    }
    List<byte[]> parts = new ArrayList<>(task.pack().size());
    List<TileResult.Done> results = new ArrayList<>(task.pack().size());
    for (TileRect rect : task.pack()) {
      if (t.abandoned || Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("abandoned");
      }
      long tileStart = System.nanoTime();
      TileImage tile = maker.make(job, rect, task.imageWidth(), task.imageHeight(),
          new RenderContext(null, 0, task.deadline() == null ? 0 : task.deadline(), new TileLog(), f -> { }));
      byte[] bytes = TileCodec.encode(tile);
      parts.add(bytes);
      results.add(new TileResult.Done(task.jobId(), rect, task.tileCount(), task.imageWidth(), task.imageHeight(),
          task.output(), task.tileUri(), tile.channels(), bytes.length, sha256(bytes),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tileStart), config.workerId(), task.acceptedAt(), null,
          null, null, null, rect.index() % task.packTiles(), task.packTiles()));
    }
    return new Output(results, TilePack.encode(parts), "application/x-tilefarm-pack", null, job, start);
  }

  /**
   * Stores a made tile and announces it, on an I/O thread; a fault that may pass is retried here, with
   * backoff, without making the tile again.
   */
  private AcknowledgeType store(Tile t, Output out) {
    return (AcknowledgeType) retrying(t, () -> storeOnce(t, out));
  }

  private AcknowledgeType storeOnce(Tile t, Output out) throws InterruptedException {
    TileTask task = t.task;
    try {
      if (t.abandoned) {
        return AcknowledgeType.ACCEPT;
      }
      blobs.put(task.tileUri(), out.bytes(), out.contentType());
      if (out.report() != null) {
        blobs.put(TileKeys.reportPartial(task.tileUri().bucket(), task.jobId(), task.tile().index()), out.report(),
            "application/json");
      }
      if (t.abandoned) {
        return AcknowledgeType.ACCEPT;
      }
      publish(out.results());
      tilesDone.addAndGet(out.results().size());
      metrics.tileDone(out.job(), System.nanoTime() - out.startNanos());
      log.debug("{} done in {} ms", task.label(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - out.startNanos()));
      return AcknowledgeType.ACCEPT;
    } catch (BlobNotFoundException e) {
      return fail(task, e.getMessage());
    }
  }

  /** A tile failed in a way nobody foresaw: released for another try (blocklisting the job here if it keeps failing). */
  private AcknowledgeType unexpected(Tile t, int attempt, Throwable e) {
    if (t.abandoned) {
      return AcknowledgeType.RELEASE;
    }
    log.error("{} failed unexpectedly on attempt {}", t.task.label(), attempt, e);
    if (blocklist.failed(t.task.jobId(), System.currentTimeMillis())) {
      log.warn("blocklisting job {} on this worker for {}: it failed here {} times", t.task.jobId(),
          WorkerConfig.BLOCKLIST_TIME, config.blocklistAfter());
    }
    return releaseOrGiveUp(t, attempt, e);
  }

  /** Releases a tile that failed in a way that may pass, unless it has had its attempts. */
  private AcknowledgeType releaseOrGiveUp(Tile t, int attempt, Throwable e) {
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    if (attempt >= config.maxAttempts()) {
      String why = "gave up after " + attempt + " attempts: " + reason;
      if (deadLetter(t.record, t.task.label() + ": " + why) != AcknowledgeType.ACCEPT) {
        return AcknowledgeType.RELEASE;
      }
      return fail(t.task, why);
    }
    log.warn("{} attempt {} failed, releasing it for a retry: {}", t.task.label(), attempt, reason);
    metrics.tileRetried();
    return AcknowledgeType.RELEASE;
  }

  private AcknowledgeType fail(TileTask task, String reason) {
    return fail(task, reason, null);
  }

  /**
   * Keeps a tile's renderer log in S3 beside the job's other logs; null if it could not be stored (the tile's
   * fate does not hang on its log).
   */
  private S3Uri storeLog(TileTask task, TileLog tileLog) {
    S3Uri uri = TileKeys.tileLog(task.tileUri().bucket(), task.jobId(), task.tile().index());
    try {
      blobs.put(uri, tileLog.text().getBytes(StandardCharsets.UTF_8), "text/plain");
      return uri;
    } catch (BlobStoreException | UncheckedIOException e) {
      log.warn("{}: could not keep the renderer's log at {}: {}", task.label(), uri, e.getMessage());
      return null;
    }
  }

  private AcknowledgeType fail(TileTask task, String reason, S3Uri logUri) {
    log.warn("{} failed: {}", task.label(), reason);
    metrics.tileFailed();
    try {
      publish(new TileResult.Failed(task.jobId(), task.tile(), task.tileCount(), reason, config.workerId(),
          task.acceptedAt(), logUri));
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

  /** Publishes the results of one stored object together, then waits until the broker has them all. */
  private void publish(List<TileResult.Done> results) throws InterruptedException {
    if (results.size() == 1) {
      publish(results.get(0));
      return;
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>(results.size());
    for (TileResult.Done result : results) {
      byte[] value = config.topics().tileResults().valueSerde().serializer().serialize(null, result);
      sent.add(producer.send(new ProducerRecord<>(config.topics().tileResults().name(), result.jobId(), value)));
    }
    for (Future<RecordMetadata> f : sent) {
      await(f, config.topics().tileResults().name());
    }
  }

  private AcknowledgeType deadLetter(ConsumerRecord<String, byte[]> record, String error) {
    DeadLetter letter = letters.letter(record.topic(), record.partition(), record.offset(),
        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(), error,
        System.currentTimeMillis());
    try {
      send(new ProducerRecord<>(config.topics().deadLetter().name(), DeadLetters.recordKey(record.key()),
          config.topics().deadLetter().valueSerde().serializer().serialize(null, letter)));
      log.warn("dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), error);
      metrics.deadLettered();
      return AcknowledgeType.ACCEPT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AcknowledgeType.RELEASE;
    } catch (KafkaException e) {
      // Released: the broker redelivers it (and archives it after its delivery limit), so the lane moves on.
      log.error("could not dead-letter {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
          e.toString());
      return AcknowledgeType.RELEASE;
    }
  }

  private void send(ProducerRecord<String, byte[]> record) throws InterruptedException {
    await(producer.send(record), record.topic());
  }

  private static void await(Future<RecordMetadata> sent, String topic) throws InterruptedException {
    try {
      sent.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new KafkaException("publishing to " + topic + " timed out", e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stops taking tiles, finishes the tiles in hand for up to the shutdown grace, releases the rest to other
   * workers, then disconnects. Safe to call from a shutdown hook (SIGTERM).
   */
  @Override
  public void close() {
    running.set(false);
    lanes.forEach(l -> l.consumer.wakeup());
    try {
      long until = System.nanoTime() + config.shutdownGrace().plusSeconds(30).toNanos();
      for (Lane lane : lanes) {
        if (!lane.stopped.await(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          log.warn("worker {} did not stop within {}", config.workerId(), config.shutdownGrace().plusSeconds(30));
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
    storing.shutdownNow();
    heartbeats.shutdownNow();
    try {
      // A tombstone: this worker and its renderers are gone.
      producer.send(new ProducerRecord<>(config.topics().workers().name(), config.workerId(), null))
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
      log.warn("could not announce worker {}'s departure: {}", config.workerId(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    metrics.close();
    producer.close(Duration.ofSeconds(10));
    watch.close();
  }

  /**
   * Publishes how far a tile's external renderer is (a PROGRESS tile result, throttled by {@link
   * ProgressThrottle}), without waiting for the broker: progress is advisory, and this runs on the thread that
   * reads the renderer's output, which must not stall. A report that is lost is only logged. Keyed by job id like
   * the tile's DONE, which this producer sends after it, so the compositor sees them in that order.
   */
  private void publishProgress(Tile t, double fraction) {
    TileTask task = t.task;
    if (t.abandoned) {
      return;
    }
    try {
      TileResult progress = new TileResult.Progress(task.jobId(), task.tile(), task.tileCount(), fraction,
          config.workerId(), task.acceptedAt());
      producer.send(new ProducerRecord<>(config.topics().tileResults().name(), task.jobId(),
          config.topics().tileResults().valueSerde().serializer().serialize(null, progress)), (m, e) -> {
            if (e != null) {
              log.warn("{}: progress {} was not published: {}", task.label(), fraction, e.toString());
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      // send() throws at once only when the producer is closing or the record cannot be sent at all.
      log.warn("{}: progress {} was not published: {}", task.label(), fraction, e.toString());
    }
  }
}
