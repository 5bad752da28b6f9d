package dev.tilefarm.compositor;

import dev.tilefarm.clients.TopicSetup;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import dev.tilefarm.store.ZombieFencer;
import java.time.Duration;
import java.time.InstantSource;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compositor role: a Kafka Streams application (exactly-once) that collects each job's tile results,
 * assembles the image into the job's output object when the last tile is in, and publishes PROGRESS and
 * then exactly one COMPLETED or FAILED event per job on the job events topic — even when a result arrives
 * twice or the application restarts and processes records again.
 *
 * <p>Once a job's end is committed, its tiles are deleted (see {@link Janitor}). Jobs past their time limit,
 * or stuck without a new tile for the configured stall timeout, end FAILED naming the missing tiles.
 *
 * <p>Tiles are read from and images written to object storage through the given {@link BlobStore}; records
 * on the tile results topic that are not tile results go to the dead-letter topic. Missing topics are
 * created at start with {@link TopicLayout#DEFAULTS} (a farm with a layout of its own creates them
 * first). Log lines about a job carry its id in the MDC key {@code jobId}, and those about one tile the
 * tile in {@code tileId} ({@code jobId/index}).
 *
 * <pre>{@code
 * try (Compositor c = Compositor.start(CompositorConfig.defaults("localhost:9092"), blobs)) {
 *   c.awaitRunning(Duration.ofSeconds(30));
 *   ...
 * }
 * }</pre>
 */
public final class Compositor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Compositor.class);

  private final KafkaStreams streams;
  private final ImageAssembler assembler;
  private Janitor janitor;
  private ZombieFencer fencer;
  private final Object lock = new Object();
  private KafkaStreams.State state = KafkaStreams.State.CREATED;
  private volatile Throwable lastError;

  private Compositor(KafkaStreams streams, ImageAssembler assembler) {
    this.streams = streams;
    this.assembler = assembler;
  }

  /** Creates any missing topic and starts processing; returns without waiting (see {@link #awaitRunning}). */
  /** The small-object view of the blob store that passes and reports use. */
  private static Blobs blobsOf(BlobStore blobs) {
    return new Blobs() {
      @Override
      public byte[] get(dev.tilefarm.schemas.S3Uri uri) {
        return blobs.get(uri);
      }

      @Override
      public void put(dev.tilefarm.schemas.S3Uri uri, byte[] bytes, String contentType) {
        blobs.put(uri, bytes, contentType);
      }

      @Override
      public boolean exists(dev.tilefarm.schemas.S3Uri uri) {
        return blobs.size(uri) >= 0;
      }
    };
  }

  /** Images into the blob store, each object marked with the job that wrote it. */
  private static ImageSink sinkOf(BlobStore blobs) {
    return new ImageSink() {
      @Override
      public void write(dev.tilefarm.schemas.S3Uri output, java.nio.file.Path file, String contentType, String jobId) {
        blobs.putFile(output, file, contentType, java.util.Map.of(JOB_METADATA, jobId));
      }

      @Override
      public String writer(dev.tilefarm.schemas.S3Uri output) {
        BlobStore.Head head = blobs.head(output);
        return head == null ? null : head.metadata().get(JOB_METADATA);
      }
    };
  }

  public static Compositor start(CompositorConfig config, BlobStore blobs) {
    ensureTopics(config);
    ImageAssembler assembler = new ImageAssembler(blobs::get, sinkOf(blobs), config.assemblyDir(),
        CompositorConfig.FETCH_THREADS);
    Topology topology = CompositorTopology.build(config.topics(), blobs.settings().bucket(), assembler,
        InstantSource.system(),
        config.progressInterval(), CompositorConfig.DEFAULT_ENDED_RETENTION, config.stallTimeout(),
        CompositorConfig.DEFAULT_CHECK_INTERVAL, new PassCoordinator(blobsOf(blobs), blobs.settings().bucket()),
        new Reports(blobsOf(blobs), blobs.settings().bucket()),
        DeadLetters.of(blobs, CompositorTopology.ROLE, config.kafkaOverrides()),
        RecordRetries.defaults(), config.retryRetention());
    Compositor compositor = null;
    try {
      KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
      // Into the global registry: the process that runs the compositor decides where meters go.
      new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams)
          .bindTo(io.micrometer.core.instrument.Metrics.globalRegistry);
      Compositor started = new Compositor(streams, assembler);
      compositor = started;
      streams.setStateListener((now, before) -> started.onStateChange(now));
      streams.setUncaughtExceptionHandler(new StreamsErrorPolicy(e -> started.lastError = e));
      log.info("starting the compositor {} on {}, state in {}", config.applicationId(), config.bootstrapServers(),
          config.stateDir());
      streams.start();
      started.janitor = new Janitor(config.janitorConsumerProperties(), config.topics(), blobs, config.sweepAge());
      started.janitor.start();
      started.fencer = ZombieFencer.start(config.adminProperties(), config.applicationId(),
          ZombieFencer.DEFAULT_INTERVAL, ZombieFencer.DEFAULT_MIN_AGE);
      return started;
    } catch (RuntimeException e) {
      if (compositor != null) {
        compositor.close();
      } else {
        assembler.close();
      }
      throw e;
    }
  }

  private static void ensureTopics(CompositorConfig config) {
    try {
      TopicSetup.ensure(config.adminProperties(), config.topics(), TopicLayout.DEFAULTS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the farm's topics", e);
    }
  }

  private void onStateChange(KafkaStreams.State now) {
    synchronized (lock) {
      state = now;
      lock.notifyAll();
    }
    log.info("compositor is {}", now);
  }

  /**
   * Why the compositor is not working, or null while it is (running, rebalancing or starting): a Kafka Streams
   * client in ERROR or NOT_RUNNING (or on its way there) processes nothing until it is restarted.
   */
  public String failure() {
    KafkaStreams.State now = streams.state();
    if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR
        || now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.PENDING_SHUTDOWN) {
      Throwable e = lastError;
      return "its Kafka Streams client is " + now + (e == null ? "" : " after " + e);
    }
    return null;
  }

  /** The Kafka Streams state: RUNNING once it processes records. */
  public KafkaStreams.State state() {
    synchronized (lock) {
      return state;
    }
  }

  /**
   * Waits until the compositor processes records (its partitions are assigned and its state restored).
   *
   * @throws IllegalStateException if it is not running within {@code timeout}, or has stopped or failed
   */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (state != KafkaStreams.State.RUNNING) {
        if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
          throw new IllegalStateException("the compositor stopped (state " + state + ")"
              + (lastError == null ? "" : ": " + lastError), lastError);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("the compositor is not running after " + timeout + " (state " + state
              + ")" + (lastError == null ? "" : "; last error: " + lastError), lastError);
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /**
   * Stops processing, committing what was processed, and waits up to 30 s for that. Idempotent. The
   * compositor leaves its consumer group, so that whoever runs next with the same application id — the
   * next CLI command, or another instance — gets the partitions at once instead of after the session
   * timeout.
   */
  @Override
  public void close() {
    if (fencer != null) {
      fencer.close();
    }
    if (janitor != null) {
      janitor.close();
    }
    if (!streams.close(CloseOptions.timeout(CompositorConfig.CLOSE_TIMEOUT)
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
      log.warn("the compositor did not stop within {}", CompositorConfig.CLOSE_TIMEOUT);
    }
    assembler.close();
  }
}
