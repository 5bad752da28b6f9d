package dev.tilefarm.compositor;

import dev.tilefarm.clients.ConsumerThreads;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileKeys;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Deletes a job's intermediate objects (its tiles and its stored job spec) once the job has ended.
 *
 * <p>It learns that from the compositor's own ENDED record on the job control topic, read committed, and never
 * from inside the Streams transaction: the ENDED record, the terminal event and the job's ended marker commit
 * together, so once a read-committed reader sees ENDED, no reprocessing can ever assemble that job again and its
 * tiles are garbage. Not from the job events topic: anyone who may write it could forge a FAILED and have a live
 * job's tiles deleted. Deleting them inside the transaction instead would break the re-assembly that follows an aborted
 * one. A second pass a little later catches tiles that a worker abandoned mid-render (after a cancel) but
 * still wrote. A periodic sweep deletes tiles older than {@code sweepAge} whatever their job, for jobs whose
 * end was never seen (events expired, state lost).
 *
 * <p>An ENDED that lists kept tiles (a FAILED or CANCELLED run's, kept for a retry, see {@code RetryKeeper}) deletes
 * nothing: the compositor publishes ENDED again without them once their retention runs out. A PLANNED (a retry of the
 * id) drops the second pass booked for the id's last end.
 *
 * <p>At-least-once and idempotent: offsets are committed after the deletes, and deleting twice is harmless.
 * Failures are logged and retried later; a missed object is the sweep's.
 */
final class Janitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Janitor.class);
  /** Time for a worker's abandoned in-flight tile to land before the second pass looks again. */
  static final Duration SECOND_PASS = Duration.ofMinutes(2);

  private record Due(String jobId, long at) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final BlobStore blobs;
  private final String bucket;
  private final Duration sweepAge;
  private final Deque<Due> later = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean running = true;
  private long nextSweep;

  Janitor(Properties consumerProperties, Topics topics, BlobStore blobs, Duration sweepAge) {
    this.topics = topics;
    this.blobs = blobs;
    this.bucket = blobs.settings().bucket();
    this.sweepAge = sweepAge;
    Properties p = new Properties();
    p.putAll(consumerProperties);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, topics.groupId("compositor-janitor"));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "compositor-janitor");
    this.thread.setDaemon(true);
  }

  void start() {
    consumer.subscribe(List.of(topics.jobControl().name()));
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            onEvent(r);
          }
          consumer.commitSync(Duration.ofSeconds(30));
        } catch (WakeupException e) {
          continue;
        } catch (RuntimeException e) {
          // The broker away, most likely: the consumer reconnects, and uncommitted events come round again.
          log.warn("janitor: {}", e.toString());
          sleep(1000);
        }
        long now = System.currentTimeMillis();
        while (!later.isEmpty() && later.peekFirst().at() <= now) {
          clean(later.pollFirst().jobId(), false);
        }
        if (!sweepAge.isZero() && now >= nextSweep) {
          sweep(now);
          nextSweep = now + Math.min(sweepAge.toMillis() / 4, Duration.ofHours(1).toMillis());
        }
      }
    } finally {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private void onEvent(ConsumerRecord<String, byte[]> r) {
    JobControl control;
    try {
      control = topics.jobControl().valueSerde().deserializer().deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      return; // not ours to judge
    }
    if (control == null || control.jobId() == null || !control.jobId().equals(r.key())) {
      return;
    }
    // Plans and cancel requests are not ends: the compositor answers a cancel with ENDED once it took effect.
    if (control instanceof JobControl.Ended ended) {
      if (ended.keptTiles() != null && !ended.keptTiles().isEmpty()) {
        // A failed or cancelled run keeps its done tiles for a retry: the compositor lets them go (ENDED again,
        // without them) when their retention runs out.
        log.info("keeping the tiles {} of job {} for a retry", ended.keptTiles(), ended.jobId());
        return;
      }
      clean(ended.jobId(), true);
    } else if (control instanceof JobControl.Planned planned) {
      // The id runs again (a retry): a second pass booked for its last end must not take the new run's tiles.
      later.removeIf(d -> d.jobId().equals(planned.jobId()));
    }
  }

  /** Deletes the job's tiles and stored spec; the first pass also books the second. */
  private void clean(String jobId, boolean first) {
    MDC.put("jobId", jobId);
    try {
      List<BlobStore.Listed> tiles = blobs.list(bucket, TileKeys.tilePrefix(jobId));
      for (BlobStore.Listed t : tiles) {
        blobs.delete(t.uri());
      }
      deleteQuietly(TileKeys.jobSpec(bucket, jobId));
      if (!tiles.isEmpty()) {
        log.info("deleted {} tile objects of the ended job", tiles.size());
      }
      if (first) {
        later.addLast(new Due(jobId, System.currentTimeMillis() + SECOND_PASS.toMillis()));
      }
    } catch (BlobStoreException e) {
      log.warn("could not delete the job's tiles yet, will try again: {}", e.getMessage());
      later.addLast(new Due(jobId, System.currentTimeMillis() + Duration.ofSeconds(30).toMillis()));
    } finally {
      MDC.remove("jobId");
    }
  }

  private void deleteQuietly(S3Uri uri) {
    try {
      blobs.delete(uri);
    } catch (BlobNotFoundException e) {
      // nothing to delete
    }
  }

  /** Deletes the tiles of every job whose newest tile is older than the sweep age. */
  private void sweep(long now) {
    try {
      Map<String, Long> newest = new HashMap<>();
      Map<String, List<S3Uri>> byJob = new HashMap<>();
      for (BlobStore.Listed o : blobs.list(bucket, "tiles/")) {
        String rest = o.uri().key().substring("tiles/".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
          continue;
        }
        String job = rest.substring(0, slash);
        newest.merge(job, o.lastModified(), Math::max);
        byJob.computeIfAbsent(job, j -> new java.util.ArrayList<>()).add(o.uri());
      }
      int deleted = 0;
      for (Map.Entry<String, Long> e : newest.entrySet()) {
        if (now - e.getValue() >= sweepAge.toMillis()) {
          for (S3Uri uri : byJob.get(e.getKey())) {
            blobs.delete(uri);
            deleted++;
          }
        }
      }
      if (deleted > 0) {
        log.info("sweep deleted {} abandoned tile objects", deleted);
      }
    } catch (BlobStoreException e) {
      log.warn("sweep failed, will try again: {}", e.getMessage());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    ConsumerThreads.stop(consumer, thread, Duration.ofSeconds(10));
  }
}
