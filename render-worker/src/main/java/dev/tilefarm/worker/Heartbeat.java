package dev.tilefarm.worker;

import dev.tilefarm.schemas.Topics;
import dev.tilefarm.schemas.WorkerStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the renderers of each worker of a {@link WorkerProcess} on the workers topic every {@link
 * WorkerStatus#INTERVAL_MS}, so the splitter knows what the farm can render (and how many render threads read each
 * lane, which sizes its windows), and a tombstone when a worker stops. Each worker has its own status record,
 * under its own id, from one thread for the whole process. Each beat also runs {@code beforeBeat}: the process
 * drops what it keeps between tiles of jobs that ended there.
 */
final class Heartbeat implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final Topics topics;
  private final Producer<String, byte[]> producer;
  private final Supplier<List<String>> renderers;
  private final Runnable beforeBeat;
  /** Worker id -> its render threads, for the workers present. */
  private final Map<String, Integer> workers = new ConcurrentSkipListMap<>();
  private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "worker-heartbeat");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param renderers the renderers the process's workers can run
   * @param beforeBeat run before each round of beats
   */
  Heartbeat(Topics topics, Producer<String, byte[]> producer, Supplier<List<String>> renderers, Runnable beforeBeat) {
    this.topics = topics;
    this.producer = producer;
    this.renderers = renderers;
    this.beforeBeat = beforeBeat;
  }

  /** Beats for the workers present every {@link WorkerStatus#INTERVAL_MS}. */
  void start() {
    beats.scheduleAtFixedRate(this::beat, WorkerStatus.INTERVAL_MS, WorkerStatus.INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  /** Beats for {@code workerId}, with {@code threads} render threads, now and with every round from now on. */
  void join(String workerId, int threads) {
    workers.put(workerId, threads);
    beat(workerId, threads, renderers.get());
  }

  private void beat() {
    beforeBeat.run();
    List<String> present = renderers.get();
    workers.forEach((workerId, threads) -> beat(workerId, threads, present));
  }

  /** Sends a status; synchronized with {@link #leave}, so that none follows a worker's tombstone. */
  private synchronized void beat(String workerId, int threads, List<String> present) {
    if (!workers.containsKey(workerId)) {
      return;
    }
    WorkerStatus status = new WorkerStatus(workerId, present, threads, System.currentTimeMillis());
    try {
      producer.send(new ProducerRecord<>(topics.workers().name(), workerId,
          topics.workers().valueSerde().serializer().serialize(null, status)), (m, e) -> {
            if (e != null) {
              log.warn("publishing worker {}'s heartbeat: {}", workerId, e.toString());
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      // send() throws at once only when the producer is closing or the record cannot be sent at all.
      log.warn("publishing worker {}'s heartbeat: {}", workerId, e.toString());
    }
  }

  /** Stops beating for {@code workerId} and announces that it and its renderers are gone (a tombstone). */
  void leave(String workerId) {
    try {
      Future<RecordMetadata> tombstone;
      synchronized (this) {
        if (workers.remove(workerId) == null) {
          return;
        }
        tombstone = producer.send(new ProducerRecord<>(topics.workers().name(), workerId, null));
      }
      tombstone.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      log.warn("could not announce worker {}'s departure: {}", workerId, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops beating; every worker still present leaves. */
  @Override
  public void close() {
    beats.shutdownNow();
    workers.keySet().forEach(this::leave);
  }
}
