package dev.tilefarm.worker;

import dev.tilefarm.schemas.WorkerStatus;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this worker's renderers on the workers topic every {@link WorkerStatus#INTERVAL_MS}, so the splitter
 * knows what the farm can render, and a tombstone when it stops. Each beat also drops what the worker keeps
 * between tiles of jobs that ended: scenes and inputs go with their job, even one over its cache's budget.
 */
final class Heartbeat implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final WorkerConfig config;
  private final Producer<String, byte[]> producer;
  private final TileJob job;
  private final JobWatch watch;
  private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "worker-heartbeat");
    t.setDaemon(true);
    return t;
  });

  Heartbeat(WorkerConfig config, Producer<String, byte[]> producer, TileJob job, JobWatch watch) {
    this.config = config;
    this.producer = producer;
    this.job = job;
    this.watch = watch;
  }

  /** Beats now, then every {@link WorkerStatus#INTERVAL_MS}. */
  void start() {
    beat();
    beats.scheduleAtFixedRate(this::beat, WorkerStatus.INTERVAL_MS, WorkerStatus.INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  private void beat() {
    job.forget(jobId -> watch.endOf(jobId) != null);
    WorkerStatus status = new WorkerStatus(config.workerId(), job.renderers(), config.threads(),
        System.currentTimeMillis());
    producer.send(new ProducerRecord<>(config.topics().workers().name(), config.workerId(),
        config.topics().workers().valueSerde().serializer().serialize(null, status)), (m, e) -> {
          if (e != null) {
            log.warn("publishing worker {}'s heartbeat: {}", config.workerId(), e.toString());
          }
        });
  }

  /** Stops beating and announces that this worker and its renderers are gone (a tombstone). */
  @Override
  public void close() {
    beats.shutdownNow();
    try {
      producer.send(new ProducerRecord<>(config.topics().workers().name(), config.workerId(), null))
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      log.warn("could not announce worker {}'s departure: {}", config.workerId(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
