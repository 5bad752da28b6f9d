package dev.tilefarm.splitter;

import dev.tilefarm.clients.StreamsNodes;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.schemas.WorkerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.LongSupplier;
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

/**
 * The workers present and the renderers they have, as their heartbeats on the workers topic tell (read from
 * the start, no group). A job for a renderer that none of the present workers has is rejected, naming the
 * renderer and what the workers do have, instead of waiting for a worker that may never come. With no worker
 * present at all every job waits, as it always has (workers may be starting).
 */
final class WorkerDirectory implements JobPlanner.Renderers, Dispatcher.Windows, AutoCloseable {
  /** Released, unsettled tasks a lane may hold per render thread of its live workers (base window). */
  static final int TASKS_PER_SLOT = 2;
  /** The least base window, also while no worker is seen (workers may be starting). */
  static final int MIN_WINDOW = 8;

  private static final Logger log = LoggerFactory.getLogger(WorkerDirectory.class);

  private final Properties clientProperties;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final LongSupplier clock;
  private Thread thread;
  private final Map<String, WorkerStatus> workers = new TreeMap<>();
  private volatile boolean running = true;

  WorkerDirectory(Properties clientProperties, Topics topics, LongSupplier clock) {
    this.topics = topics;
    this.clock = clock;
    this.clientProperties = clientProperties;
  }

  /** Starts following the workers topic (until then, and in tests, {@link #seen} alone feeds it). */
  void start() {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, topics.groupId("tile-splitter") + "-workers");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "splitter-workers");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public String missing(Renderer renderer) {
    synchronized (workers) {
      return WorkerStatus.missingRenderer(renderer, workers.values(), clock.getAsLong());
    }
  }

  /**
   * A lane's base window: {@link #TASKS_PER_SLOT} per render thread of the live workers that read it (every worker
   * reads the shared lane; a renderer's lane is read by the workers that have the renderer), at least
   * {@link #MIN_WINDOW}. Two per thread is what the workers themselves take at a time (one rendering, one being
   * stored or waiting), so a released task rarely waits in the topic, and a job admitted later is not far behind.
   */
  @Override
  public int window(String sink) {
    String renderer = sink.startsWith(StreamsNodes.TASKS_SINK + ".")
        ? sink.substring(StreamsNodes.TASKS_SINK.length() + 1) : null;
    long now = clock.getAsLong();
    long slots = 0;
    synchronized (workers) {
      for (WorkerStatus w : workers.values()) {
        if (now - w.timestamp() <= WorkerStatus.ALIVE_MS && (renderer == null || w.renderers().contains(renderer))) {
          slots += w.threads();
        }
      }
    }
    return (int) Math.max(MIN_WINDOW, Math.min(Integer.MAX_VALUE, TASKS_PER_SLOT * slots));
  }

  /** A worker's latest heartbeat, or null for a worker that left. */
  void seen(String worker, WorkerStatus status) {
    synchronized (workers) {
      if (status == null) {
        workers.remove(worker);
      } else {
        workers.put(worker, status);
      }
    }
  }

  private void run() {
    try {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topics.workers().name(), Duration.ofSeconds(30))) {
        parts.add(new TopicPartition(info.topic(), info.partition()));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.key() == null) {
            continue;
          }
          try {
            seen(r.key(), r.value() == null ? null
                : topics.workers().valueSerde().deserializer().deserialize(r.topic(), r.value()));
          } catch (UndecodableException e) {
            log.warn("ignoring a heartbeat of worker {} that is not a WorkerStatus: {}", r.key(), e.getMessage());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.warn("the workers directory stopped; jobs are no longer checked against workers' renderers: {}",
          e.toString());
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
  }
}
