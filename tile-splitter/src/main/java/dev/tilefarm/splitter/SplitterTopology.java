package dev.tilefarm.splitter;

import static dev.tilefarm.clients.StreamsNodes.DEAD_LETTER_SINK;
import static dev.tilefarm.clients.StreamsNodes.EVENTS_SINK;
import static dev.tilefarm.clients.StreamsNodes.RESULTS_SOURCE;
import static dev.tilefarm.clients.StreamsNodes.TASKS_SINK;

import dev.tilefarm.clients.StreamsNodes;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The splitter's topology: jobs and cancel requests in; tile tasks, job events, job control records (for
 * the compositor), dead letters (and re-keyed jobs) out. Its stores are named by the classes whose state they
 * hold ({@link SplitProcessor}, {@link Dispatcher}, {@link OutcomeRecorder}); the nodes the compositor's topology
 * has too, by {@link StreamsNodes}.
 */
final class SplitterTopology {
  static final String ROLE = "tile-splitter";
  /** Back to the jobs topic: a record not keyed by its job's id goes round again under it, to the job's partition. */
  static final String REROUTE_SINK = "jobs-by-id";
  static final String CONTROL_SINK = "job-control";

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
    return build(topics, planner, specs, clock, letters, retries, windows, SplitterConfig.DEFAULT_DEPENDENCY_GRACE,
        SplitterConfig.DEFAULT_WAIT_CHECK);
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
    StreamsNodes.addRawSource(t, "jobs", topics.jobs());
    WaitingJobs waiting = new WaitingJobs(dependencyGrace);
    if (windows == null) {
      t.addProcessor("split", () -> new SplitProcessor(topics.jobs().name(), planner, specs, clock, letters, retries,
          waiting, waitCheck, SplitterConfig.DEFAULT_SPEC_RETENTION, null, null), "jobs");
    } else {
      // Results are keyed by job id like jobs, on as many partitions: task n sees all of its jobs'. Which jobs
      // ENDED the dispatcher learns from the global job outcomes below (a topic feeds one kind of source only).
      StreamsNodes.addRawSource(t, RESULTS_SOURCE, topics.tileResults());
      t.addProcessor("split", () -> new SplitProcessor(topics.jobs().name(), planner, specs, clock, letters, retries,
          waiting, waitCheck, SplitterConfig.DEFAULT_SPEC_RETENTION, windows, topics.tileResults().name()),
          "jobs", RESULTS_SOURCE);
      // Cached: a job's entry changes per settled tile; the cache makes that one changelog write per commit.
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Dispatcher.JOBS_STORE),
          Serdes.String(), Serdes.String()).withCachingEnabled(), "split");
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Dispatcher.TASKS_STORE),
          Serdes.String(), topics.tileTasks().valueSerde()), "split");
    }
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SplitProcessor.WAITING_STORE),
        Serdes.String(), Serdes.ByteArray()), "split");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SplitProcessor.RETRY_STORE),
        Serdes.String(), Serdes.ByteArray()), "split");
    // Rebuilt from the job control topic itself, through the recorder: no changelog of its own.
    t.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OutcomeRecorder.STORE), Serdes.String(),
        Serdes.String()).withLoggingDisabled(), "job-outcomes-source", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer(), topics.jobControl().name(), "job-outcomes",
        () -> new OutcomeRecorder(clock, SplitterConfig.DEFAULT_SPEC_RETENTION));
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SplitProcessor.ACCEPTED_STORE),
        Serdes.String(), Serdes.Long()), "split");
    // The processor forwards several value types, each only to the sink whose serializer takes it.
    StreamsNodes.addSink(t, TASKS_SINK, topics.tileTasks(), "split");
    for (Renderer renderer : Renderer.externals()) {
      StreamsNodes.addSink(t, TASKS_SINK + "." + renderer.id(), topics.tileTasksFor(renderer.id()), "split");
    }
    StreamsNodes.addSink(t, EVENTS_SINK, topics.jobEvents(), "split");
    StreamsNodes.addSink(t, DEAD_LETTER_SINK, topics.deadLetter(), "split");
    StreamsNodes.addSink(t, CONTROL_SINK, topics.jobControl(), "split");
    StreamsNodes.addSink(t, REROUTE_SINK, topics.jobs(), "split");
    return t;
  }
}
