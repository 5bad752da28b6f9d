package dev.tilefarm.splitter;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The splitter's topology: jobs and cancel requests in; tile tasks, job events, job control records (for
 * the compositor), dead letters (and re-keyed jobs) out.
 */
final class SplitterTopology {
  static final String ROLE = "tile-splitter";
  static final String ACCEPTED_STORE = "accepted-jobs";
  static final String TASKS_SINK = "tile-tasks";
  static final String EVENTS_SINK = "job-events";
  static final String DEAD_LETTER_SINK = "dead-letter";
  static final String REROUTE_SINK = "jobs-by-id";
  static final String CONTROL_SINK = "job-control";
  /** Job id -> what the {@link Dispatcher} keeps of it (JSON {@link QueuedJob}). */
  static final String QUEUED_JOBS_STORE = "queued-jobs";
  /** "jobId/NNNNNNNNNN" -> a task the {@link Dispatcher} has not released yet. */
  static final String QUEUED_TASKS_STORE = "queued-tasks";
  static final String RESULTS_SOURCE = "tile-results";
  /** Jobs held until the jobs they wait for complete (see {@link WaitingJobs}). */
  static final String WAITING_STORE = "waiting-jobs";
  /** Accepted jobs as submitted, kept for a retry (see {@link RetryPlanner}). */
  static final String RETRY_STORE = "retry-specs";
  /** Global: every job's state as the job control topic tells (see {@link JobOutcomes}). */
  static final String OUTCOMES_STORE = "job-outcomes";
  /** How long a job may wait for an id the farm does not know before it fails naming it. */
  static final Duration DEFAULT_DEPENDENCY_GRACE = Duration.ofSeconds(30);
  /** How often waiting jobs are looked at again. */
  static final Duration DEFAULT_WAIT_CHECK = Duration.ofMillis(250);
  /**
   * How long a failed or cancelled job stays retryable here (its JSON kept), and how long an ended job's outcome
   * is known to jobs after it: a week, as long as the compositor keeps an ended job's marker.
   */
  static final Duration DEFAULT_SPEC_RETENTION = Duration.ofDays(7);

  private SplitterTopology() {}

  /** The sink of a job's tile tasks (see {@link Topics#tileTasksFor(JobRequest)}). */
  static String tasksSink(JobRequest job) {
    return Renderer.lane(job).map(r -> TASKS_SINK + "." + r.id()).orElse(TASKS_SINK);
  }

  /** The topology with dead letters whose bytes, when too large to travel, are kept through {@code specs}. */
  static Topology build(Topics topics, JobPlanner planner, JobSpecs specs, String bucket, LongSupplier clock) {
    return build(topics, planner, specs, clock,
        new DeadLetters(specs::put, bucket, ROLE, DeadLetters.DEFAULT_MAX_REQUEST_SIZE), RecordRetries.defaults());
  }

  static Topology build(Topics topics, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries) {
    return build(topics, planner, specs, clock, letters, retries, Dispatcher.Windows.UNLIMITED);
  }

  /**
   * @param windows the lanes' windows of the {@link Dispatcher}, or null for none: every task of a job is
   *     published at once, and the splitter does not read tile results (for a farm whose jobs topic is not
   *     partitioned as its tile results topic, see {@link TileSplitter})
   */
  static Topology build(Topics topics, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries, Dispatcher.Windows windows) {
    return build(topics, planner, specs, clock, letters, retries, windows, DEFAULT_DEPENDENCY_GRACE,
        DEFAULT_WAIT_CHECK);
  }

  /**
   * @param dependencyGrace how long a job may wait for an id the farm does not know (see {@link WaitingJobs})
   * @param waitCheck how often waiting jobs are looked at again
   */
  static Topology build(Topics topics, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries, Duration dependencyGrace, Duration waitCheck) {
    return build(topics, planner, specs, clock, letters, retries, Dispatcher.Windows.UNLIMITED, dependencyGrace,
        waitCheck);
  }

  static Topology build(Topics topics, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries, Dispatcher.Windows windows, Duration dependencyGrace, Duration waitCheck) {
    Topology t = new Topology();
    t.addSource("jobs", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.jobs().name());
    WaitingJobs waiting = new WaitingJobs(dependencyGrace);
    if (windows == null) {
      t.addProcessor("split", () -> new SplitProcessor(topics.jobs().name(), planner, specs, clock, letters, retries,
          waiting, waitCheck, DEFAULT_SPEC_RETENTION, null, null), "jobs");
    } else {
      // Results are keyed by job id like jobs, on as many partitions: task n sees all of its jobs'. Which jobs
      // ENDED the dispatcher learns from the global job outcomes below (a topic feeds one kind of source only).
      t.addSource(RESULTS_SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
          topics.tileResults().name());
      t.addProcessor("split", () -> new SplitProcessor(topics.jobs().name(), planner, specs, clock, letters, retries,
          waiting, waitCheck, DEFAULT_SPEC_RETENTION, windows, topics.tileResults().name()), "jobs", RESULTS_SOURCE);
      // Cached: a job's entry changes per settled tile; the cache makes that one changelog write per commit.
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QUEUED_JOBS_STORE), Serdes.String(),
          Serdes.String()).withCachingEnabled(), "split");
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QUEUED_TASKS_STORE),
          Serdes.String(), topics.tileTasks().valueSerde()), "split");
    }
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WAITING_STORE), Serdes.String(),
        Serdes.ByteArray()), "split");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RETRY_STORE), Serdes.String(),
        Serdes.ByteArray()), "split");
    // Rebuilt from the job control topic itself, through the recorder: no changelog of its own.
    t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OUTCOMES_STORE), Serdes.String(),
        Serdes.String()).withLoggingDisabled(), "job-outcomes-source", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(), topics.jobControl().name(), "job-outcomes",
        () -> new OutcomeRecorder(clock, DEFAULT_SPEC_RETENTION));
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCEPTED_STORE), Serdes.String(),
        Serdes.Long()), "split");
    t.addSink(TASKS_SINK, topics.tileTasks().name(), Serdes.String().serializer(),
        cast(topics.tileTasks().valueSerde().serializer()), "split");
    for (Renderer renderer : Renderer.externals()) {
      var topic = topics.tileTasksFor(renderer.id());
      t.addSink(TASKS_SINK + "." + renderer.id(), topic.name(), Serdes.String().serializer(),
          cast(topic.valueSerde().serializer()), "split");
    }
    t.addSink(EVENTS_SINK, topics.jobEvents().name(), Serdes.String().serializer(),
        cast(topics.jobEvents().valueSerde().serializer()), "split");
    t.addSink(DEAD_LETTER_SINK, topics.deadLetter().name(), Serdes.String().serializer(),
        cast(topics.deadLetter().valueSerde().serializer()), "split");
    t.addSink(CONTROL_SINK, topics.jobControl().name(), Serdes.String().serializer(),
        cast(topics.jobControl().valueSerde().serializer()), "split");
    t.addSink(REROUTE_SINK, topics.jobs().name(), Serdes.String().serializer(),
        cast(topics.jobs().valueSerde().serializer()), "split");
    return t;
  }

  // The processor forwards several value types, each only to the sink whose serializer takes it.
  @SuppressWarnings("unchecked")
  private static Serializer<Object> cast(Serializer<?> s) {
    return (Serializer<Object>) s;
  }
}
