package dev.tilefarm.worker;

import dev.tilefarm.clients.ConsumerThreads;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which jobs are stopped or paused, as the job control topic tells (read committed, every partition, no group): a
 * worker skips the pending tiles of a job with a CANCEL (asked for by a client, through the splitter) or an ENDED
 * (the compositor's: cancelled, failed, or completed by a duplicate) and abandons those it is making; it hands the
 * tasks of a job the splitter PAUSEd back unmade until a RESUME, finishing those it has started. The job control
 * topic, not the job events topic: only the farm's own roles write it, while job events are what every client
 * reads, and a FAILED forged there must not make workers drop a live job's tiles. Starts {@link #LOOKBACK} in the
 * past, so a restarted worker knows the jobs stopped or paused recently. Knowledge, not authority: a tile slipping
 * past it costs only wasted work, since the compositor ignores results of ended jobs (and a paused job's tile made
 * anyway is a tile done).
 */
final class JobWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobWatch.class);
  static final Duration LOOKBACK = Duration.ofHours(1);
  private static final int MAX_JOBS = 100_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final Thread thread;
  private final WatchedJobs jobs = new WatchedJobs(MAX_JOBS);
  private volatile boolean running = true;

  JobWatch(Properties clientProperties, Topics topics, String name) {
    this.topics = topics;
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-watch");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.remove(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG);
    p.remove(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG);
    p.remove(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, name + "-watch");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** "CANCELLED" (asked for), the outcome of an ENDED job ("FAILED", ...), or null if no stop is known. */
  String endOf(String jobId) {
    return jobs.endOf(jobId);
  }

  /** The state of {@code task}'s job at {@code nowMs} (epoch ms), as the records read so far tell. */
  JobState stateOf(TileTask task, long nowMs) {
    return jobs.stateOf(task, nowMs);
  }

  private void run() {
    try {
      assign();
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            JobControl control;
            try {
              control = topics.jobControl().valueSerde().deserializer().deserialize(r.topic(), r.value());
            } catch (RuntimeException e) {
              continue;
            }
            jobs.apply(r.key(), control);
          }
        } catch (WakeupException e) {
          // closing
        } catch (RuntimeException e) {
          log.warn("following job control records: {}", e.toString());
          Thread.sleep(1000);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("the job watch stopped; cancelled jobs' tiles will be made anyway: {}", e.toString(), e);
    } finally {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private void assign() throws InterruptedException {
    while (running) {
      try {
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topics.jobControl().name(), Duration.ofSeconds(30))) {
          parts.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(parts);
        Map<TopicPartition, Long> since = new HashMap<>();
        parts.forEach(tp -> since.put(tp, System.currentTimeMillis() - LOOKBACK.toMillis()));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(since, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts, Duration.ofSeconds(30));
        for (TopicPartition tp : parts) {
          OffsetAndTimestamp o = offsets.get(tp);
          consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
        }
        return;
      } catch (WakeupException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("finding the job control partitions: {}", e.toString());
        Thread.sleep(1000);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    ConsumerThreads.stop(consumer, thread, Duration.ofSeconds(10));
  }
}
