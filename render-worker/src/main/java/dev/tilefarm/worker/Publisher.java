package dev.tilefarm.worker;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the worker writes about tiles: their results (done, failed, progress, returned) on the tile results topic, and
 * the records it gives up on, on the dead-letter topic. Every write but progress waits until the broker has it.
 */
final class Publisher implements TileJob.Announcer {
  private static final Logger log = LoggerFactory.getLogger(Publisher.class);

  private final WorkerConfig config;
  private final Producer<String, byte[]> producer;
  private final DeadLetters letters;
  private final WorkerMetrics metrics;

  Publisher(WorkerConfig config, Producer<String, byte[]> producer, DeadLetters letters, WorkerMetrics metrics) {
    this.config = config;
    this.producer = producer;
    this.letters = letters;
    this.metrics = metrics;
  }

  /** Publishes the results of one stored object together, then waits until the broker has them all. */
  @Override
  public void announce(List<? extends TileResult> results) throws InterruptedException {
    try {
      if (results.size() == 1) {
        send(result(results.get(0)));
        return;
      }
      List<Future<RecordMetadata>> sent = new ArrayList<>(results.size());
      for (TileResult result : results) {
        sent.add(producer.send(result(result)));
      }
      for (Future<RecordMetadata> f : sent) {
        await(f, config.topics().tileResults().name());
      }
    } catch (KafkaException e) {
      throw new TileJob.AnnounceException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  /** Publishes a FAILED tile result; false if the broker did not take it. */
  boolean failed(TileTask task, String reason, S3Uri logUri) {
    log.warn("{} failed: {}", task.label(), reason);
    metrics.tileFailed();
    try {
      send(result(TileResult.Failed.of(task, reason, config.workerId(), logUri)));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (KafkaException e) {
      return false;
    }
  }

  /**
   * Publishes a RETURNED tile result handing {@code task}, of a paused job, back to the splitter unmade; false if
   * the broker did not take it.
   */
  boolean handBack(TileTask task) {
    try {
      send(result(TileResult.Returned.of(task, config.workerId())));
      log.info("{}: handed back unmade, the job is paused", task.label());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (KafkaException e) {
      log.warn("{}: could not hand it back: {}", task.label(), e.toString());
      return false;
    }
  }

  /**
   * Publishes how far a tile's external renderer is (a PROGRESS tile result, throttled by {@link
   * ProgressThrottle}), without waiting for the broker: progress is advisory, and this runs on the thread that
   * reads the renderer's output, which must not stall. A report that is lost is only logged. Keyed by job id like
   * the tile's DONE, which this producer sends after it, so the compositor sees them in that order.
   */
  void progress(TileTask task, double fraction) {
    try {
      producer.send(result(new TileResult.Progress(task.jobId(), task.tile(), task.tileCount(), fraction,
          config.workerId(), task.acceptedAt())), (m, e) -> {
            if (e != null) {
              log.warn("{}: progress {} was not published: {}", task.label(), fraction, e.toString());
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      // send() throws at once only when the producer is closing or the record cannot be sent at all.
      log.warn("{}: progress {} was not published: {}", task.label(), fraction, e.toString());
    }
  }

  /**
   * Sends a delivered record to the dead-letter topic with {@code error}; false if it could not be (the policy
   * then releases it: the broker redelivers it, and archives it after its delivery limit, so the lane moves on).
   */
  boolean deadLetter(ConsumerRecord<String, byte[]> record, String error) {
    DeadLetter letter = letters.letter(record.topic(), record.partition(), record.offset(),
        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(), error,
        System.currentTimeMillis());
    try {
      send(new ProducerRecord<>(config.topics().deadLetter().name(), DeadLetters.recordKey(record.key()),
          config.topics().deadLetter().valueSerde().serializer().serialize(null, letter)));
      log.warn("dead-lettered {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), error);
      metrics.deadLettered();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (KafkaException e) {
      log.error("could not dead-letter {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
          e.toString());
      return false;
    }
  }

  private ProducerRecord<String, byte[]> result(TileResult result) {
    byte[] value = config.topics().tileResults().valueSerde().serializer().serialize(null, result);
    return new ProducerRecord<>(config.topics().tileResults().name(), result.jobId(), value);
  }

  private void send(ProducerRecord<String, byte[]> record) throws InterruptedException {
    await(producer.send(record), record.topic());
  }

  private static void await(Future<RecordMetadata> sent, String topic) throws InterruptedException {
    try {
      sent.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("publishing to " + topic + " timed out", e);
    }
  }
}
