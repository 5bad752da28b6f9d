package dev.tilefarm.splitter;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
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
  static final String CONTROL_SOURCE = "job-control-in";

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
   *     published at once, and the splitter reads neither tile results nor job control (for a farm whose jobs
   *     topic is not partitioned as its tile results topic, see {@link TileSplitter})
   */
  static Topology build(Topics topics, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries, Dispatcher.Windows windows) {
    Topology t = new Topology();
    t.addSource("jobs", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.jobs().name());
    if (windows == null) {
      t.addProcessor("split", () -> new SplitProcessor(topics.jobs().name(), planner, specs, clock, letters, retries),
          "jobs");
    } else {
      // Results and ENDED records are keyed by job id like jobs, on as many partitions: task n sees all of its jobs'.
      t.addSource(RESULTS_SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
          topics.tileResults().name());
      t.addSource(CONTROL_SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
          topics.jobControl().name());
      t.addProcessor("split", () -> new SplitProcessor(topics.jobs().name(), planner, specs, clock, letters, retries,
          windows, topics.tileResults().name(), topics.jobControl().name()), "jobs", RESULTS_SOURCE, CONTROL_SOURCE);
      // Cached: a job's entry changes per settled tile; the cache makes that one changelog write per commit.
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QUEUED_JOBS_STORE), Serdes.String(),
          Serdes.String()).withCachingEnabled(), "split");
      t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QUEUED_TASKS_STORE),
          Serdes.String(), topics.tileTasks().valueSerde()), "split");
    }
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
