package dev.tilefarm.compositor;

import static dev.tilefarm.clients.StreamsNodes.DEAD_LETTER_SINK;
import static dev.tilefarm.clients.StreamsNodes.EVENTS_SINK;
import static dev.tilefarm.clients.StreamsNodes.RESULTS_SOURCE;
import static dev.tilefarm.clients.StreamsNodes.TASKS_SINK;

import dev.tilefarm.clients.StreamsNodes;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import java.time.Duration;
import java.time.InstantSource;
import org.apache.kafka.common.serialization.Serdes;
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
  static final String CONTROL_SOURCE = "job-control";
  static final String PROCESSOR = "results";
  /** ENDED of every job that ends, for the workers (they skip its tiles) and the {@link Janitor}. */
  static final String CONTROL_SINK = "job-control-out";
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

    Topology topology = new Topology();
    // Raw bytes, so that a record that is not a tile result reaches the processor and the dead-letter topic.
    StreamsNodes.addRawSource(topology, RESULTS_SOURCE, topics.tileResults());
    StreamsNodes.addRawSource(topology, CONTROL_SOURCE, topics.jobControl());
    topology.addProcessor(PROCESSOR, () -> new ResultProcessor(aggregator, passes,
        new TileCheck(bucket, assembler.tiles()), clock, progressInterval, purgeInterval, checkInterval,
        topics.jobControl().name(), letters, retries, new RetryKeeper(aggregator, clock, retryRetention)),
        RESULTS_SOURCE, CONTROL_SOURCE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUNS_STORE), Serdes.String(),
        Serdes.ByteArray()), PROCESSOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DIGEST_STORE),
        Serdes.String(), Serdes.String()), PROCESSOR);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PASS_STORE), Serdes.String(),
        Serdes.String()), PROCESSOR);
    // Cached: a job's state is rewritten per tile, the cache turns that into one changelog write per commit.
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
        new JobStateSerde()).withCachingEnabled(), PROCESSOR);
    // The processor forwards events, dead letters, tasks and control records, each to the sink of its topic.
    StreamsNodes.addSink(topology, EVENTS_SINK, topics.jobEvents(), PROCESSOR);
    StreamsNodes.addSink(topology, DEAD_LETTER_SINK, topics.deadLetter(), PROCESSOR);
    // The next pass's tile tasks of process jobs with whole-image ops.
    StreamsNodes.addSink(topology, TASKS_SINK, topics.tileTasks(), PROCESSOR);
    StreamsNodes.addSink(topology, VIDEO_TASKS_SINK, topics.tileTasksFor(Renderer.FFMPEG.id()), PROCESSOR);
    StreamsNodes.addSink(topology, CONTROL_SINK, topics.jobControl(), PROCESSOR);
    return topology;
  }
}
