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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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
 * id) drops the passes booked for the id's last end.
 *
 * <p>At-least-once and idempotent: a partition's offset is committed only past ENDED records whose passes are all
 * done ({@link CleanUps}), so a janitor killed between the passes, or while S3 is down, leaves its work to the one
 * that reads the partition next; deleting twice is harmless.
 */
final class Janitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Janitor.class);
  /** How long the janitor goes on with due passes before it polls again. */
  private static final Duration PASSES_PER_POLL = Duration.ofSeconds(20);
  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final BlobStore blobs;
  private final String bucket;
  private final Duration sweepAge;
  private final CleanUps cleanUps = new CleanUps();
  private final Thread thread;
  private volatile boolean running = true;
  private long nextSweep;
  /** False once the S3 server has refused a DeleteObjects request: objects are then deleted one by one. */
  private boolean batchDeletes = true;

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
    consumer.subscribe(List.of(topics.jobControl().name()), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // Commit what is done while they are still ours; the next owner does the rest from there.
        try {
          commit(partitions);
        } finally {
          cleanUps.drop(numbers(partitions));
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        // nothing to do: reading from the committed offsets books again whatever was left undone
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        cleanUps.drop(numbers(partitions));
      }
    });
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            onEvent(r);
          }
          // A while of passes at a time, so that a slow S3 does not keep the consumer from its poll.
          long until = System.currentTimeMillis() + PASSES_PER_POLL.toMillis();
          for (CleanUps.Due d = cleanUps.next(System.currentTimeMillis()); d != null;
              d = System.currentTimeMillis() < until ? cleanUps.next(System.currentTimeMillis()) : null) {
            clean(d);
          }
          commit(consumer.assignment());
        } catch (WakeupException e) {
          continue;
        } catch (RuntimeException e) {
          // The broker away, most likely: the consumer reconnects, and uncommitted events come round again.
          log.warn("janitor: {}", e.toString());
          sleep(1000);
        }
        long now = System.currentTimeMillis();
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
    switch (control) {
      case JobControl.Ended ended when ended.keptTiles() != null && !ended.keptTiles().isEmpty() ->
          // A failed or cancelled run keeps its done tiles for a retry: the compositor lets them go (ENDED again,
          // without them) when their retention runs out.
          log.info("keeping the tiles {} of job {} for a retry", ended.keptTiles(), ended.jobId());
      case JobControl.Ended ended ->
          cleanUps.ended(ended.jobId(), r.partition(), r.offset(), System.currentTimeMillis());
      // The id runs again (a retry): passes booked for its last end must not take the new run's tiles.
      case JobControl.Planned planned -> cleanUps.replanned(planned.jobId());
      // Cancel requests are not ends (the compositor answers one with ENDED once it took effect); the rest is
      // the splitter's business.
      case JobControl.Cancel cancel -> { }
      case JobControl.Pause pause -> { }
      case JobControl.Resume resume -> { }
      case JobControl.Waiting waiting -> { }
    }
  }

  /** Commits, for each of {@code partitions}, the offset up to which every ENDED record's passes are done. */
  private void commit(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    Map<Integer, Long> positions = new HashMap<>();
    for (TopicPartition tp : partitions) {
      positions.put(tp.partition(), consumer.position(tp, Duration.ofSeconds(30)));
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    String topic = topics.jobControl().name();
    cleanUps.committable(positions).forEach((p, o) -> offsets.put(new TopicPartition(topic, p),
        new OffsetAndMetadata(o)));
    consumer.commitSync(offsets, Duration.ofSeconds(30));
  }

  private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
    Set<Integer> out = new HashSet<>();
    partitions.forEach(tp -> out.add(tp.partition()));
    return out;
  }

  /** One pass over the job's tiles and stored spec; a failed one is booked again. */
  private void clean(CleanUps.Due pass) {
    MDC.put("jobId", pass.jobId());
    try {
      List<BlobStore.Listed> tiles = objects(blobs.list(bucket, TileKeys.tilePrefix(pass.jobId())));
      List<S3Uri> doomed = new java.util.ArrayList<>(tiles.size() + 1);
      tiles.forEach(t -> doomed.add(t.uri()));
      doomed.add(TileKeys.jobSpec(bucket, pass.jobId()));
      delete(doomed);
      if (!tiles.isEmpty()) {
        log.info("deleted {} tile objects of the ended job{}", tiles.size(), pass.last() ? " (second pass)" : "");
      }
      cleanUps.done(pass, System.currentTimeMillis());
    } catch (RuntimeException e) {
      // Booked again whatever failed: a pass taken off the queue and not put back would let the commit pass it.
      log.warn("could not delete the job's tiles yet, will try again in {}: {}", CleanUps.RETRY, e.toString());
      cleanUps.failed(pass, System.currentTimeMillis());
    } finally {
      MDC.remove("jobId");
    }
  }

  /**
   * The listed objects without the folder markers (keys ending in {@code /}) that a file-system backed S3 server
   * lists for the folders of a process job's passes: the farm never writes such a key, the server drops the
   * marker with the folder's last object, and deleting one while the folder still holds objects fails (the
   * embedded S3 server answered nothing until the client timed out), which stopped every pass over such a job
   * before it deleted anything.
   */
  private static List<BlobStore.Listed> objects(List<BlobStore.Listed> listed) {
    return listed.stream().filter(l -> !l.uri().key().endsWith("/")).toList();
  }

  /**
   * Deletes {@code uris} (all in the farm's bucket; a missing one counts as deleted) in as few requests as the
   * server allows: one DeleteObjects request per thousand, rather than a request per object, which made the
   * janitor the compositor's busiest thread after a job and cost the S3 server a request per tile object. A
   * server that refuses DeleteObjects (an S3Proxy not told to ignore the checksum header the SDK sends) is asked
   * one object at a time from then on.
   */
  private void delete(List<S3Uri> uris) {
    if (batchDeletes) {
      try {
        blobs.deleteAll(bucket, uris.stream().map(S3Uri::key).toList());
        return;
      } catch (BlobStoreException e) {
        if (e.transientFault()) {
          throw e;
        }
        batchDeletes = false;
        log.warn("the S3 server refuses DeleteObjects ({}); deleting one object at a time from now on",
            e.getMessage());
      }
    }
    uris.forEach(this::deleteQuietly);
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
      for (BlobStore.Listed o : objects(blobs.list(bucket, "tiles/"))) {
        String rest = o.uri().key().substring("tiles/".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
          continue;
        }
        String job = rest.substring(0, slash);
        newest.merge(job, o.lastModified(), Math::max);
        byJob.computeIfAbsent(job, j -> new java.util.ArrayList<>()).add(o.uri());
      }
      List<S3Uri> abandoned = new java.util.ArrayList<>();
      for (Map.Entry<String, Long> e : newest.entrySet()) {
        if (now - e.getValue() >= sweepAge.toMillis()) {
          abandoned.addAll(byJob.get(e.getKey()));
        }
      }
      if (!abandoned.isEmpty()) {
        delete(abandoned);
        log.info("sweep deleted {} abandoned tile objects", abandoned.size());
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
