package dev.tilefarm.worker;

import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.DeadLetters;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the render workers of one JVM share, as the threads of one worker process would: one producer (of tile
 * results, dead letters and heartbeats; Kafka's producer is thread-safe), one {@link JobWatch} of the job control
 * topic, one scheduler thread publishing every worker's heartbeat, one set of meters, one {@link TileMaker} and job
 * cache (so an input is decoded and kept once per process, within one cache budget), and the task topics and share
 * groups prepared once. Each worker started on it ({@link RenderWorker#start(WorkerProcess, String)}) keeps its own
 * id, its own share consumer per task topic (so it is its own member of each share group), its own render threads
 * and its own status record on the workers topic.
 *
 * <p>{@link #close} closes the workers still running side by side (each finishes or releases its tiles in hand),
 * then the shared parts.
 */
public final class WorkerProcess implements AutoCloseable {
  final WorkerConfig config;
  final BlobStore blobs;
  final KafkaProducer<String, byte[]> producer;
  final JobWatch watch;
  final WorkerMetrics metrics;
  final Heartbeat heartbeat;
  final TileMaker maker;
  final JobSpecCache jobs;
  final DeadLetters letters;
  final List<String> taskTopics;
  private final List<RenderWorker> workers = new CopyOnWriteArrayList<>();

  private WorkerProcess(WorkerConfig config, BlobStore blobs) {
    this.config = config;
    this.blobs = blobs;
    this.maker = new TileMaker(blobs::get, blobs::get, config.inputCacheBytes(), config.limits());
    this.jobs = new JobSpecCache(blobs);
    this.letters = DeadLetters.of(blobs, "render-worker", config.kafkaOverrides());
    this.taskTopics = TaskTopics.of(config, maker);
    this.watch = new JobWatch(WorkerClients.watchProperties(config), config.topics(), config.workerId());
    this.producer = new KafkaProducer<>(WorkerClients.producerProperties(config), new StringSerializer(),
        new ByteArraySerializer());
    // The global registry: the process that runs the worker decides where meters go (see the CLI's /metrics).
    this.metrics = new WorkerMetrics(Metrics.globalRegistry, config.workerId(), producer,
        () -> consumerMetrics(workers));
    this.heartbeat = new Heartbeat(config.topics(), producer, maker::renderers,
        () -> forget(jobId -> watch.endOf(jobId) != null));
  }

  /**
   * Creates missing topics, configures the share groups (see {@link TaskTopics}) and starts following the job
   * control topic, for workers to be started on it. {@code config} is the process's: its workers share its
   * settings, each under its own id; its {@code workerId} names the shared clients and tags the meters.
   */
  public static WorkerProcess start(WorkerConfig config, BlobStore blobs) throws InterruptedException {
    WorkerProcess process = new WorkerProcess(config, blobs);
    try {
      TaskTopics.prepare(config, process.taskTopics);
      process.watch.start();
      process.heartbeat.start();
      return process;
    } catch (InterruptedException | RuntimeException e) {
      process.close();
      throw e;
    }
  }

  /** The settings of the worker {@code workerId} of this process. */
  WorkerConfig configOf(String workerId) {
    return config.withWorkerId(workerId);
  }

  /** Counts a worker started on this process among its workers, from now until it {@link #left}. */
  void joined(RenderWorker worker, String workerId, int threads) {
    workers.add(worker);
    metrics.bindConsumerMetrics(consumerMetrics(List.of(worker)));
    heartbeat.join(workerId, threads);
  }

  /** A worker that stopped: its tombstone goes out. */
  void left(RenderWorker worker, String workerId) {
    workers.remove(worker);
    heartbeat.leave(workerId);
  }

  /** The workers running on this process. */
  public List<RenderWorker> workers() {
    return List.copyOf(workers);
  }

  /** Why some worker of this process is not taking tiles (see {@link RenderWorker#failure}), or null. */
  public String failure() {
    for (RenderWorker w : workers) {
      String why = w.failure();
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  /** Drops the decoded jobs, prepared scenes and inputs kept for the jobs {@code ended} names. */
  private void forget(java.util.function.Predicate<String> ended) {
    maker.forget(ended);
    jobs.forget(ended);
  }

  /** The metrics of the share consumers of {@code of}. */
  private static Map<MetricName, Metric> consumerMetrics(List<RenderWorker> of) {
    Map<MetricName, Metric> all = new HashMap<>();
    of.forEach(w -> w.consumers().forEach(c -> all.putAll(c.metrics())));
    return all;
  }

  /** Closes the workers still running, side by side, then the shared clients. */
  @Override
  public void close() {
    try (var closing = Executors.newVirtualThreadPerTaskExecutor()) {
      workers.forEach(w -> closing.submit(w::close));
    }
    heartbeat.close();
    metrics.close();
    producer.close(Duration.ofSeconds(10));
    watch.close();
  }
}
