package dev.tilefarm.worker;

import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.worker.DeliveryPolicy.Ack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The render-worker role's Kafka edge: takes tile tasks from a share group (so any number of workers share one
 * job's tiles, whatever the partition count), has several made at once by the {@link TileJob} (which stores each
 * tile in S3 under its fixed key and announces it on the tile results topic), and settles each delivery as the
 * {@link DeliveryPolicy} decides: ACCEPT once made, stored and announced; RENEW every third of the lock duration
 * while it is being made, so a tile of any length keeps its claim (Kafka 4.3 then hands the renewed record to
 * this consumer again on its next poll, KAFKA-20458; the worker recognises it by partition and offset as the
 * tile it is already making, and settles that delivery in turn); RELEASE for another delivery after a fault that
 * may pass; the dead-letter topic and a FAILED result from the {@code maxAttempts}-th delivery on; ACCEPT after a
 * RETURNED result for a paused job's task, handed back unmade when a render thread would start it.
 *
 * <p>A worker that dies never settles its tiles, and the broker gives them to another worker when their lock
 * runs out ({@code lockDuration}). On {@link #close} (SIGTERM) a worker takes no new tiles, finishes those in
 * hand for up to {@code shutdownGrace}, and releases the rest.
 */
public final class RenderWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RenderWorker.class);
  /** How long a batch runs before a thread that finished early takes new tiles (renewing the rest). */
  private static final long REFILL_AFTER_MS = 100;

  private record Key(String topic, int partition, long offset) {
    static Key of(ConsumerRecord<?, ?> r) {
      return new Key(r.topic(), r.partition(), r.offset());
    }
  }

  private final WorkerConfig config;
  private final WorkerProcess process;
  private final boolean ownsProcess;
  private final TileJob job;
  private final DeliveryPolicy policy;
  private final Blocklist blocklist;
  private final List<Lane> lanes = new CopyOnWriteArrayList<>();
  private final Publisher publisher;
  private final TileRuns runs;
  private final AtomicBoolean running = new AtomicBoolean(true);

  private RenderWorker(WorkerProcess process, WorkerConfig config, boolean ownsProcess) {
    this.config = config;
    this.process = process;
    this.ownsProcess = ownsProcess;
    this.policy = new DeliveryPolicy(config);
    this.blocklist = new Blocklist(config.blocklistAfter(), WorkerConfig.BLOCKLIST_TIME);
    this.publisher = new Publisher(config, process.producer, process.letters, process.metrics);
    this.job = new TileJob(config, process.blobs, process.maker, process.jobs, blocklist, policy, publisher,
        process.metrics::tileRetried);
    this.runs = new TileRuns(config, job, policy, publisher, process.metrics, this::stateOf);
    process.taskTopics.forEach(topic -> lanes.add(new Lane(topic)));
  }

  /** Prepares the topics and share groups and starts taking tiles, alone in a {@link WorkerProcess} closed with it. */
  public static RenderWorker start(WorkerConfig config, BlobStore blobs) throws InterruptedException {
    WorkerProcess process = WorkerProcess.start(config, blobs);
    try {
      return start(process, config, true);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  /** Starts the worker {@code workerId} on {@code process}, sharing its clients (see {@link WorkerProcess}). */
  public static RenderWorker start(WorkerProcess process, String workerId) {
    return start(process, process.configOf(workerId), false);
  }

  private static RenderWorker start(WorkerProcess process, WorkerConfig config, boolean ownsProcess) {
    RenderWorker worker = new RenderWorker(process, config, ownsProcess);
    process.joined(worker, config.workerId(), config.threads());
    worker.lanes.forEach(lane -> lane.loop.start());
    return worker;
  }

  /** The share consumers of this worker, one per task topic. */
  List<KafkaShareConsumer<String, byte[]>> consumers() {
    return lanes.stream().map(lane -> lane.consumer).toList();
  }

  /**
   * Why the worker is not taking tiles, or null while it is: a poll loop that stopped on an error (a worker
   * that is being closed is not failing).
   */
  public String failure() {
    if (!running.get()) {
      return null;
    }
    for (Lane lane : lanes) {
      if (lane.stopped.getCount() == 0) {
        return "its poll loop " + lane.loop.getName() + " stopped";
      }
    }
    return null;
  }

  /** Tiles this worker has finished (stored and announced) since it started. */
  public long tilesDone() {
    return runs.tilesDone();
  }

  /**
   * The tiles of one task topic: a share consumer in that topic's group, with the loop that polls it and settles
   * its deliveries. The lanes of a worker share its render and store threads.
   */
  private final class Lane {
    private final KafkaShareConsumer<String, byte[]> consumer;
    private final Thread loop;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<Key, HeldTile> inFlight = new HashMap<>();
    private final BlockingQueue<HeldTile> finished = new LinkedBlockingQueue<>();

    Lane(String topic) {
      this.consumer = new KafkaShareConsumer<>(WorkerClients.consumerProperties(config,
          config.topics().taskGroup(topic), WorkerClients.tilesPerThread(config, topic)),
          new StringDeserializer(), new ByteArrayDeserializer());
      consumer.subscribe(List.of(topic));
      this.loop = new Thread(this::run, config.workerId() + "-poll-" + topic);
    }

    private void run() {
      long graceEnd = Long.MAX_VALUE;
      try {
        while (true) {
          boolean stopping = !running.get();
          if (stopping && graceEnd == Long.MAX_VALUE) {
            graceEnd = System.nanoTime() + config.shutdownGrace().toNanos();
            log.info("worker {} stopping: finishing {} tiles in hand", config.workerId(), inFlight.size());
          }
          if (stopping && (inFlight.isEmpty() || System.nanoTime() > graceEnd)) {
            inFlight.values().forEach(HeldTile::abandon);
            if (!inFlight.isEmpty()) {
              log.info("releasing {} unfinished tiles to other workers", inFlight.size());
            }
            break; // closing the consumer releases whatever is still unsettled
          }
          ConsumerRecords<String, byte[]> records;
          long polledAt = System.nanoTime();
          try {
            records = consumer.poll(Duration.ofMillis(inFlight.isEmpty() ? 200 : 50));
            polledAt = System.nanoTime();
          } catch (WakeupException e) {
            continue;
          }
          List<HeldTile> batch = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> r : records) {
            HeldTile held = inFlight.get(Key.of(r));
            if (held != null) {
              held.record = r; // a renewed tile handed back: the same work, a new delivery to settle
              batch.add(held);
            } else if (stopping) {
              ack(r, Ack.RELEASE); // no new tiles: for another worker
            } else {
              HeldTile tile = admit(r);
              if (tile != null) {
                inFlight.put(Key.of(r), tile);
                runs.start(tile);
                batch.add(tile);
              }
            }
          }
          if (!batch.isEmpty()) {
            awaitChange(batch, stopping ? graceEnd : Long.MAX_VALUE, polledAt);
            settle(batch, stopping && System.nanoTime() > graceEnd);
          }
          if (!records.isEmpty()) {
            consumer.commitAsync();
          }
        }
      } catch (RuntimeException e) {
        log.error("worker {} stopped: {}", config.workerId(), e.toString(), e);
      } finally {
        try {
          consumer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
          log.warn("closing the share consumer: {}", e.toString());
        }
        stopped.countDown();
      }
    }

    /**
     * Waits until every tile of the batch is finished or its job ended, a renewal is due, or the grace runs out;
     * or, once {@link #REFILL_AFTER_MS} have passed since the batch came, until a render thread is idle while some
     * tile of the batch is finished, so that the idle thread gets new work. Tiles still in hand are then renewed
     * (the next poll cannot come before every tile of the last one is settled), and a poll that follows renewals
     * waits on the broker busily, so it is done only when a thread would otherwise idle: never while every render
     * thread is busy or has a tile queued.
     */
    private void awaitChange(List<HeldTile> batch, long graceEnd, long polledAt) {
      long renewBy = polledAt + config.renewInterval().toNanos();
      long refillAt = polledAt + TimeUnit.MILLISECONDS.toNanos(REFILL_AFTER_MS);
      try {
        while (true) {
          int settled = 0;
          int rendering = 0;
          for (HeldTile t : batch) {
            if (t.outcome != null || stateOf(t.task).ended()) {
              settled++;
            } else if (!t.rendered) {
              rendering++;
            }
          }
          long now = System.nanoTime();
          boolean idleThread = settled > 0 && rendering < config.threads();
          if (settled == batch.size() || (idleThread && now >= refillAt)) {
            return;
          }
          long until = idleThread ? Math.min(Math.min(renewBy, graceEnd), refillAt) : Math.min(renewBy, graceEnd);
          if (now >= until || (!running.get() && graceEnd == Long.MAX_VALUE)) {
            return;
          }
          finished.poll(Math.min(until - now, TimeUnit.MILLISECONDS.toNanos(250)), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Settles each tile of the batch: its outcome's ack if known, else as the policy says of a tile in hand. */
    private void settle(List<HeldTile> batch, boolean graceOver) {
      for (HeldTile t : batch) {
        Ack ack = t.outcome;
        if (ack == null) {
          JobState state = stateOf(t.task);
          ack = policy.inHand(state, graceOver);
          if (ack != Ack.RENEW) {
            t.abandon();
            log.info("{}: abandoned ({})", t.task.label(), state.ended() ? state.why() : "the worker is stopping");
          }
        }
        ack(t.record, ack);
        if (ack != Ack.RENEW) {
          inFlight.remove(Key.of(t.record));
        }
      }
      finished.removeIf(t -> !inFlight.containsValue(t));
    }

    private void ack(ConsumerRecord<String, byte[]> r, Ack ack) {
      AcknowledgeType type = switch (ack) {
        case ACCEPT -> AcknowledgeType.ACCEPT;
        case RENEW -> AcknowledgeType.RENEW;
        case RELEASE -> AcknowledgeType.RELEASE;
      };
      try {
        consumer.acknowledge(r, type);
      } catch (IllegalStateException | KafkaException e) {
        // The delivery is no longer ours to settle (its lock ran out, the broker restarted): the broker
        // redelivers the tile and the work is redone, with the same bytes.
        log.warn("could not {} {}-{}@{}: {}", type, r.topic(), r.partition(), r.offset(), e.toString());
      }
    }

    /** Decides about a new delivery; returns the tile to make, or null if it was settled here. */
    private HeldTile admit(ConsumerRecord<String, byte[]> r) {
      TileTask task;
      try {
        task = config.topics().tileTasks().valueSerde().deserializer().deserialize(r.topic(), r.value());
        if (task == null) {
          throw new UndecodableException("the record has no value", null);
        }
      } catch (UndecodableException e) {
        ack(r, policy.deadLettered(publisher.deadLetter(r, e.getMessage())));
        return null;
      } catch (RuntimeException e) {
        // A record that decodes but that no tile can be made of (a field missing, say): never the lane's end.
        log.warn("{}-{}@{}: not a tile task the worker can take: {}", r.topic(), r.partition(), r.offset(),
            e.toString());
        ack(r, policy.deadLettered(publisher.deadLetter(r, "not a tile task the worker can take: " + e)));
        return null;
      }
      JobState state = stateOf(task);
      return switch (policy.admit(state, blocklist.blocked(task.jobId(), System.currentTimeMillis()),
          HeldTile.deliveryOf(r), job.maxAttemptsOf(task))) {
        case MAKE -> new HeldTile(task, r, finished);
        case SKIP -> {
          log.debug("{}: skipped, {}", task.label(), state.why());
          ack(r, Ack.ACCEPT);
          yield null;
        }
        case RELEASE -> {
          log.info("{}: released, this worker has failed the job repeatedly", task.label());
          ack(r, Ack.RELEASE);
          yield null;
        }
      };
    }
  }

  private JobState stateOf(TileTask task) {
    return process.watch.stateOf(task, System.currentTimeMillis());
  }

  /**
   * Stops taking tiles, finishes the tiles in hand for up to the shutdown grace, releases the rest to other
   * workers, then disconnects. Safe to call from a shutdown hook (SIGTERM).
   */
  @Override
  public void close() {
    if (!running.getAndSet(false)) {
      return;
    }
    lanes.forEach(l -> l.consumer.wakeup());
    try {
      long until = System.nanoTime() + config.shutdownGrace().plusSeconds(30).toNanos();
      for (Lane lane : lanes) {
        if (!lane.stopped.await(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          log.warn("worker {} did not stop within {}", config.workerId(), config.shutdownGrace().plusSeconds(30));
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runs.close();
    process.left(this, config.workerId());
    if (ownsProcess) {
      process.close();
    }
  }
}
