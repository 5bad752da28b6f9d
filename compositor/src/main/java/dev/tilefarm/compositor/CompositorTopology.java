package dev.tilefarm.compositor;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import java.time.Duration;
import java.time.InstantSource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The compositor's stream topology: tile results (raw bytes) → {@link ResultProcessor} with the job state
 * store → job events, or the dead-letter topic for records that are not tile results.
 *
 * <pre>
 *   tile-results ──▶ results ──▶ job-events
 *   job-control  ──▶   │  ├────▶ dead-letter
 *                      │  └────▶ job-control (ENDED: for the workers and the janitor)
 *                    jobs (persistent key-value store, job id → {@link JobState})
 * </pre>
 *
 * <p>The job control topic has the tile results topic's partition count (see {@code TopicAdmin}), so partition
 * {@code n} of both is one task and a job's plan, cancel and results meet one store.
 */
final class CompositorTopology {
  static final String ROLE = "compositor";
  static final String STORE = "jobs";
  static final String SOURCE = "tile-results";
  static final String CONTROL_SOURCE = "job-control";
  static final String PROCESSOR = "results";
  static final String EVENTS_SINK = "job-events";
  static final String DEAD_LETTER_SINK = "dead-letter";
  /** ENDED of every job that ends, for the workers (they skip its tiles) and the {@link Janitor}. */
  static final String CONTROL_SINK = "job-control-out";
  /** The next pass's tile tasks of process jobs with whole-image ops. */
  static final String TASKS_SINK = "tile-tasks";
  /** Video tasks of animations, on the ffmpeg lane (only workers with ffmpeg take them). */
  static final String VIDEO_TASKS_SINK = "video-tasks";
  /**
   * "jobId/index" -> the sha256 a done tile was checked to have (see {@link TileCheck}), until its job ends; and
   * "jobId/failed/index" -> a FAILED result (JSON) waiting for its job's plan (see {@link ResultProcessor}).
   */
  static final String DIGEST_STORE = "tile-digests";
  /** Job id -> its run from attempt 2, or its last failed or cancelled run with its kept tiles ({@link JobRun}). */
  static final String RUNS_STORE = "job-runs";
  /** Job id -> the statistics pass under way (JSON, see {@link PassCoordinator}). */
  static final String PASS_STORE = "passes";

  private CompositorTopology() {}

  static Topology build(Topics topics, String bucket, ImageAssembler assembler, InstantSource clock,
      Duration progressInterval) {
    return build(topics, bucket, assembler, clock, progressInterval, CompositorConfig.DEFAULT_ENDED_RETENTION);
  }

  /**
   * @param clock the time of events, throttling and retention; tests pass one they move along with the
   *     test driver's wall clock, which drives the punctuations
   * @param progressInterval the least time between two PROGRESS events of one job
   * @param endedRetention how long an ended job's marker is kept
   */
  static Topology build(Topics topics, String bucket, ImageAssembler assembler, InstantSource clock,
      Duration progressInterval, Duration endedRetention) {
    return build(topics, bucket, assembler, clock, progressInterval, endedRetention, Duration.ZERO,
        CompositorConfig.DEFAULT_CHECK_INTERVAL);
  }

  /**
   * @param stallTimeout how long an unfinished job may go without a new tile before it fails as stuck (0:
   *     never; a job's own deadline applies regardless)
   * @param checkInterval how often unfinished jobs are checked for deadlines and stalls
   */
  static Topology build(Topics topics, String bucket, ImageAssembler assembler, InstantSource clock,
      Duration progressInterval, Duration endedRetention, Duration stallTimeout, Duration checkInterval) {
    return build(topics, bucket, assembler, clock, progressInterval, endedRetention, stallTimeout, checkInterval,
        null, null);
  }

  /**
   * @param bucket the farm's bucket, where workers store tiles: the compositor derives each tile's object in it
   *     and accepts no result that names another
   * @param passes runs the statistics passes of process jobs (null: such jobs fail)
   * @param reports writes process jobs' analysis reports (null: none are written)
   */
  static Topology build(Topics topics, String bucket, ImageAssembler assembler, InstantSource clock,
      Duration progressInterval, Duration endedRetention, Duration stallTimeout, Duration checkInterval,
      PassCoordinator passes, Reports reports) {
    DeadLetters.Storage none = (uri, bytes) -> {
      throw new dev.tilefarm.store.BlobStoreException("this compositor keeps no dead-letter bytes", false, null);
    };
    return build(topics, bucket, assembler, clock, progressInterval, endedRetention, stallTimeout, checkInterval,
        passes, reports, new DeadLetters(none, "none", ROLE, DeadLetters.DEFAULT_MAX_REQUEST_SIZE),
        RecordRetries.defaults());
  }

  /**
   * @param letters makes the dead letters (keeping the bytes of large ones in object storage)
   * @param retries how long a record that fails in a way that may pass is retried before it is dead-lettered
   */
  static Topology build(Topics topics, String bucket, ImageAssembler assembler, InstantSource clock,
      Duration progressInterval, Duration endedRetention, Duration stallTimeout, Duration checkInterval,
      PassCoordinator passes, Reports reports, DeadLetters letters, RecordRetries retries) {
    return build(topics, bucket, assembler, clock, progressInterval, endedRetention, stallTimeout, checkInterval,
        passes, reports, letters, retries, CompositorConfig.DEFAULT_RETRY_RETENTION);
  }

  /** @param retryRetention how long a failed or cancelled job's done tiles are kept for a retry */
  static Topology build(Topics topics, String bucket, ImageAssembler assembler, InstantSource clock,
      Duration progressInterval, Duration endedRetention, Duration stallTimeout, Duration checkInterval,
      PassCoordinator passes, Reports reports, DeadLetters letters, RecordRetries retries, Duration retryRetention) {
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException("progressInterval must be positive, got " + progressInterval);
    }
    JobAggregator aggregator = new JobAggregator(assembler, clock, progressInterval, endedRetention, stallTimeout);
    if (reports != null) {
      aggregator.withReports(reports);
    }
    Duration purgeInterval = endedRetention.compareTo(CompositorConfig.PURGE_INTERVAL) < 0 ? endedRetention
        : CompositorConfig.PURGE_INTERVAL;
    Serializer<JobEvent> eventSerializer = topics.jobEvents().valueSerde().serializer();
    Serializer<DeadLetter> letterSerializer = topics.deadLetter().valueSerde().serializer();
    // The processor forwards both kinds to its two sinks; each sink accepts only its own.
    Serializer<Object> events = (topic, value) -> eventSerializer.serialize(topic, (JobEvent) value);
    Serializer<Object> letterValues = (topic, value) -> letterSerializer.serialize(topic, (DeadLetter) value);

    Topology topology = new Topology();
    // Raw bytes, so that a record that is not a tile result reaches the processor and the dead-letter topic.
    topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
        topics.tileResults().name());
    topology.addSource(CONTROL_SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
        topics.jobControl().name());
    topology.addProcessor(PROCESSOR, () -> new ResultProcessor(aggregator, passes,
        new TileCheck(bucket, assembler.tiles()), clock, progressInterval, purgeInterval, checkInterval,
        topics.jobControl().name(), letters, retries, new RetryKeeper(aggregator, clock, retryRetention)), SOURCE,
        CONTROL_SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUNS_STORE), Serdes.String(),
        Serdes.ByteArray()), PROCESSOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DIGEST_STORE),
        Serdes.String(), Serdes.String()), PROCESSOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PASS_STORE), Serdes.String(),
        Serdes.String()), PROCESSOR);
    // Cached: a job's state is rewritten per tile, the cache turns that into one changelog write per commit.
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
        new JobStateSerde()).withCachingEnabled(), PROCESSOR);
    topology.addSink(EVENTS_SINK, topics.jobEvents().name(), Serdes.String().serializer(), events, PROCESSOR);
    topology.addSink(DEAD_LETTER_SINK, topics.deadLetter().name(), Serdes.String().serializer(), letterValues, PROCESSOR);
    Serializer<TileTask> taskSerializer = topics.tileTasks().valueSerde().serializer();
    Serializer<Object> tasks = (topic, value) -> taskSerializer.serialize(topic, (TileTask) value);
    topology.addSink(TASKS_SINK, topics.tileTasks().name(), Serdes.String().serializer(), tasks, PROCESSOR);
    topology.addSink(VIDEO_TASKS_SINK, topics.tileTasksFor(dev.tilefarm.schemas.Renderer.FFMPEG.id()).name(),
        Serdes.String().serializer(), tasks, PROCESSOR);
    Serializer<dev.tilefarm.schemas.JobControl> controlSerializer = topics.jobControl().valueSerde().serializer();
    Serializer<Object> controls = (topic, value) -> controlSerializer.serialize(topic,
        (dev.tilefarm.schemas.JobControl) value);
    topology.addSink(CONTROL_SINK, topics.jobControl().name(), Serdes.String().serializer(), controls, PROCESSOR);
    return topology;
  }
}
