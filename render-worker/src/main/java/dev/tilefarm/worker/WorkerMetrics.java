package dev.tilefarm.worker;

import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.JobRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The worker's meters: tiles rendered (a counter, so Prometheus' {@code rate()} gives tiles per second),
 * tile durations as a histogram per renderer and op chain, failures, retries and dead letters, and the
 * Kafka client metrics of its producer and share consumer. Micrometer's Kafka binder does not know share
 * consumers yet, so their metrics are bound here the same way: one gauge per metric of the share groups,
 * named {@code kafka.<group>.<name>}, e.g. {@code kafka_consumer_share_fetch_manager_records_consumed_total}.
 * One per {@link WorkerProcess}: the meters of all its workers together, tagged {@code worker} with the process's
 * worker id (a single worker's own), each share consumer's gauges also by its {@code client_id}.
 */
final class WorkerMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final Tags worker;
  private final KafkaClientMetrics producerMetrics;
  private final Supplier<Map<MetricName, ? extends Metric>> consumerMetrics;
  private final Set<MetricName> bound = new HashSet<>();
  private final List<Gauge> gauges = new ArrayList<>();
  private final ScheduledExecutorService refresh;

  WorkerMetrics(MeterRegistry registry, String workerId, Producer<?, ?> producer,
      Supplier<Map<MetricName, ? extends Metric>> consumerMetrics) {
    this.registry = registry;
    this.worker = Tags.of("worker", workerId);
    this.producerMetrics = new KafkaClientMetrics(producer, worker);
    producerMetrics.bindTo(registry);
    this.consumerMetrics = consumerMetrics;
    // Client metrics appear as the consumer connects to brokers and partitions, so look for new ones now and then.
    this.refresh = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, workerId + "-metrics");
      t.setDaemon(true);
      return t;
    });
    refresh.scheduleWithFixedDelay(this::bindConsumerMetrics, 0, 30, TimeUnit.SECONDS);
    // Registered now, so that dashboards and alerts see zero rather than no data until the first failure.
    tileFailedCounter();
    tileRetriedCounter();
    deadLetterCounter();
  }

  /** A tile was stored and announced; {@code nanos} from taking the task to announcing it. */
  void tileDone(JobRequest job, long nanos) {
    Tags tags = worker.and(kind(job));
    Counter.builder("tilefarm.tiles.rendered").description("tiles stored and announced").tags(tags)
        .register(registry).increment();
    Timer.builder("tilefarm.tile.duration").description("time to make, store and announce one tile")
        .tags(tags).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A tile was reported FAILED on the tile results topic. */
  void tileFailed() {
    tileFailedCounter().increment();
  }

  /** A tile is tried again after a fault: in place after a backoff, or released for another delivery. */
  void tileRetried() {
    tileRetriedCounter().increment();
  }

  void deadLettered() {
    deadLetterCounter().increment();
  }

  private Counter tileFailedCounter() {
    return Counter.builder("tilefarm.tiles.failed").description("tiles reported failed").tags(worker)
        .register(registry);
  }

  private Counter tileRetriedCounter() {
    return Counter.builder("tilefarm.tiles.retried").description("tile attempts repeated after a fault").tags(worker)
        .register(registry);
  }

  private Counter deadLetterCounter() {
    return Counter.builder("tilefarm.dead.letters").description("records sent to the dead-letter topic")
        .tags(worker.and("role", "render-worker")).register(registry);
  }

  /** {@code renderer} (mandelbrot, builtin, or opencv for process jobs) and {@code op} (the op chain, or none). */
  /** @param job the task's job, or null for a video task (which carries none) */
  static Tags kind(JobRequest job) {
    if (job == null) {
      return Tags.of("renderer", "ffmpeg", "op", "video");
    }
    return switch (job) {
      case JobRequest.Render r -> Tags.of("renderer", r.renderer().id(), "op", "none");
      case JobRequest.Encode e -> Tags.of("renderer", "ffmpeg", "op", "video");
      case JobRequest.Process p ->
          Tags.of("renderer", "opencv", "op", p.ops().stream().map(ImageOp::name).collect(Collectors.joining("+")));
    };
  }

  /** Binds the share consumers' metrics not bound yet; also every 30 s, for metrics that appear later. */
  void bindConsumerMetrics() {
    try {
      bindConsumerMetrics(consumerMetrics.get());
    } catch (RuntimeException e) {
      // A closed consumer: nothing more to bind.
    }
  }

  /** Binds those of {@code metrics} (a worker's share consumers') not bound yet. */
  synchronized void bindConsumerMetrics(Map<MetricName, ? extends Metric> metrics) {
    try {
      for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
        MetricName name = e.getKey();
        // Only the share consumer's own groups: its generic ones (consumer-metrics, app-info) share names
        // with plain consumers' meters in the same process, and Prometheus wants one tag set per name.
        if (bound.contains(name) || !name.group().contains("share")
            || !(e.getValue().metricValue() instanceof Number)) {
          continue;
        }
        bound.add(name);
        Metric metric = e.getValue();
        List<Tag> tags = new ArrayList<>(worker.stream().toList());
        name.tags().forEach((k, v) -> tags.add(Tag.of(k.replace('-', '_'), v)));
        gauges.add(Gauge.builder("kafka." + name.group().replace("-metrics", "") + "." + name.name().replace('-', '.'),
                metric,
                m -> m.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN)
            .description(name.description()).tags(tags).register(registry));
      }
    } catch (RuntimeException e) {
      // A closed consumer: nothing more to bind.
    }
  }

  @Override
  public void close() {
    refresh.shutdownNow();
    producerMetrics.close();
    synchronized (this) {
      gauges.forEach(registry::remove);
    }
  }
}
