package dev.tilefarm.api;

import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Kafka edge of the {@link FarmView}: reads the jobs, job events, tile results, dead-letter and workers
 * topics from the beginning (read-committed, so only what the exactly-once roles committed) and feeds every
 * decodable record to the view; on the compacted workers topic that is each worker's latest heartbeat, or
 * its tombstone. No consumer group: every API instance builds the whole view, which is what lets any number
 * of them run behind a load balancer without sticky sessions.
 */
final class EventFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);

  private final Topics topics;
  private final FarmView view;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** {@code kafkaClient}: the farm's client overrides (TLS, SASL); the feed takes those a consumer understands. */
  EventFeed(String bootstrapServers, Map<String, String> kafkaClient, Topics topics, FarmView view, String clientId) {
    this.topics = topics;
    this.view = view;
    Properties p = ClientProperties.CONSUMER.of(bootstrapServers, kafkaClient);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, clientId + "-feed");
    thread.setDaemon(true);
  }

  /** False once the feed's thread has stopped (after an error, or on close). */
  boolean running() {
    return stopped.getCount() > 0;
  }

  KafkaConsumer<String, byte[]> consumer() {
    return consumer;
  }

  void start() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(topics.jobs().name(), topics.jobEvents().name(), topics.tileResults().name(),
        topics.deadLetter().name(), topics.workers().name())) {
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(info.topic(), info.partition()));
      }
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    thread.start();
    this.endAtStart = end;
  }

  private volatile Map<TopicPartition, Long> endAtStart = Map.of();

  /** Waits until the view holds everything that was on the topics when the feed started. */
  boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      while (running.get()) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            apply(r);
          }
        } catch (WakeupException e) {
          continue;
        }
        if (caughtUp.getCount() > 0 && endAtStart.entrySet().stream()
            .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp.countDown();
        }
      }
    } catch (RuntimeException e) {
      log.error("the API's event feed stopped: {}", e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    String topic = r.topic();
    try {
      if (topic.equals(topics.workers().name())) {
        if (r.key() == null) {
          return; // not a worker's: heartbeats are keyed by worker id
        }
        if (r.value() == null) {
          view.onWorkerGone(r.key());
        } else {
          view.onHeartbeat(r.key(), topics.workers().valueSerde().deserializer().deserialize(topic, r.value()));
        }
        return;
      }
      if (r.key() != null) {
        MDC.put("jobId", r.key());
      }
      if (topic.equals(topics.jobs().name())) {
        view.onJobRecord(r.key(), r.value(), r.timestamp());
      } else if (topic.equals(topics.jobEvents().name())) {
        JobEvent e = topics.jobEvents().valueSerde().deserializer().deserialize(topic, r.value());
        if (e != null) {
          view.onEvent(e);
        }
      } else if (topic.equals(topics.tileResults().name())) {
        TileResult t = topics.tileResults().valueSerde().deserializer().deserialize(topic, r.value());
        if (t != null) {
          view.onTile(t, r.timestamp());
        }
      } else if (topic.equals(topics.deadLetter().name())) {
        DeadLetter d = topics.deadLetter().valueSerde().deserializer().deserialize(topic, r.value());
        if (d != null) {
          view.onDeadLetter(d);
        }
      }
    } catch (RuntimeException e) {
      // Not ours to judge: the role that owns the topic dead-letters what it cannot read.
      log.debug("skipping {}-{}@{}: {}", topic, r.partition(), r.offset(), e.toString());
    } finally {
      MDC.remove("jobId");
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      stopped.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
