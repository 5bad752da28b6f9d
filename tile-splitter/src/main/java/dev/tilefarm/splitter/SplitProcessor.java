package dev.tilefarm.splitter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCancel;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.JobSchedule;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The splitter's Kafka edge for one job record: decode, plan ({@link JobPlanner}), emit the plan. Everything it
 * emits for a record (tile tasks, the ACCEPTED or REJECTED event, a dead letter, the accepted-id mark) commits
 * in one transaction.
 *
 * <p>The accepted-jobs store maps a job id to when it was accepted, or, for a job cancelled before it was
 * ever accepted, to minus the time of the cancel: either way the id is taken and a later job under it is
 * not run. A cancel of an accepted job is passed on to the compositor, which alone decides how an accepted
 * job ends; a cancel of a job not seen yet is answered here with CANCELLED, since no other role knows it.
 *
 * <p>With a {@link Dispatcher} (the farm's default), an accepted job's tasks go to its lane as the workers have room,
 * highest priority first and round-robin within a priority; the processor then also reads the tile results (which
 * make room) and the job control topic (whose ENDED lets a job go), both partitioned as the jobs topic, and takes
 * the schedule requests ({@link JobSchedule}: pause, resume, reprioritize) of the jobs topic.
 */
final class SplitProcessor implements Processor<byte[], byte[], String, Object> {
  private static final Logger log = LoggerFactory.getLogger(SplitProcessor.class);

  private final String sourceTopic;
  private final JobPlanner planner;
  private final JobSpecs specs;
  private final LongSupplier clock;
  private final DeadLetters letters;
  private final RecordRetries retries;
  private final Dispatcher.Windows windows;
  private final String resultsTopic;
  private final String controlTopic;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Long> accepted;
  private Dispatcher dispatcher;
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);
  private static final JsonSerde<JobControl> CONTROLS = new JsonSerde<>(JobControl.class);
  /** How often lanes are offered what waits, for room made other than by results (workers joining). */
  static final Duration RELEASE_INTERVAL = Duration.ofMillis(250);

  SplitProcessor(String sourceTopic, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries) {
    this(sourceTopic, planner, specs, clock, letters, retries, null, null, null);
  }

  /**
   * @param windows the lanes' windows, or null for no dispatcher: every task goes out at once, first in first out
   * @param resultsTopic the tile results topic (read to settle released tasks), with a dispatcher
   * @param controlTopic the job control topic (read for ENDED), with a dispatcher
   */
  SplitProcessor(String sourceTopic, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries, Dispatcher.Windows windows, String resultsTopic, String controlTopic) {
    this.windows = windows;
    this.resultsTopic = resultsTopic;
    this.controlTopic = controlTopic;
    this.letters = letters;
    this.retries = retries;
    this.sourceTopic = sourceTopic;
    this.planner = planner;
    this.specs = specs;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.accepted = context.getStateStore(SplitterTopology.ACCEPTED_STORE);
    if (windows != null) {
      dispatcher = new Dispatcher(context.getStateStore(SplitterTopology.QUEUED_JOBS_STORE),
          context.getStateStore(SplitterTopology.QUEUED_TASKS_STORE), windows,
          (sink, task) -> context.forward(new Record<String, Object>(task.jobId() + "/" + task.tile().index(), task,
              clock.getAsLong()), sink));
      context.schedule(RELEASE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, t -> dispatcher.releaseAll());
    }
  }

  /**
   * Whatever a record holds, the splitter moves past it: a failure that may pass (object storage
   * unreachable) is thrown, so the thread is replaced and the record tried again from the last commit, until
   * it has failed for long enough ({@link RecordRetries}); any other failure, and one given up, dead-letters
   * the record. Kafka's own exceptions (a fenced producer, a migrated task) are Streams' business.
   */
  @Override
  public void process(Record<byte[], byte[]> record) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(sourceTopic);
    if (dispatcher != null && (topic.equals(resultsTopic) || topic.equals(controlTopic))) {
      settle(topic, record);
      return;
    }
    retries.handle(this::position, () -> handle(record), SplitProcessor::mayPass,
        e -> deadLetter(record, "the splitter failed on this record: " + e));
  }

  private String position() {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    return RecordRetries.position(meta.topic(), meta.partition(), meta.offset());
  }

  private static boolean mayPass(RuntimeException e) {
    return e instanceof UncheckedIOException || e instanceof BlobStoreException b && b.transientFault();
  }

  /**
   * A tile result or a job control record, read only to make room in lanes: one that does not decode is the
   * compositor's to dead-letter, and is passed over here.
   */
  private void settle(String topic, Record<byte[], byte[]> record) {
    try {
      if (topic.equals(resultsTopic)) {
        TileResult result = RESULTS.decode(record.value());
        if (result != null && result.jobId() != null) {
          dispatcher.settle(result);
        }
      } else if (CONTROLS.decode(record.value()) instanceof JobControl.Ended ended && ended.jobId() != null) {
        dispatcher.ended(ended.jobId());
      }
    } catch (UndecodableException e) {
      log.debug("passing over a record of {} that does not decode: {}", topic, e.getMessage());
    }
  }

  private void handle(Record<byte[], byte[]> record) {
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    ObjectNode json;
    try {
      json = JobCodec.parse(record.value());
    } catch (UndecodableException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    String fallbackId = key != null && JobRequest.ID.matcher(key).matches() ? key : generatedId();
    if (json.has("cancel")) {
      cancel(json, key, fallbackId, record);
      return;
    }
    if (JobCodec.SCHEDULE_KEYS.stream().anyMatch(json::has)) {
      schedule(json, key, record);
      return;
    }
    String id = JobCodec.idOf(json, fallbackId);
    MDC.put("jobId", id);
    try {
      split(json, key, id, fallbackId, record);
    } finally {
      MDC.remove("jobId");
    }
  }

  private void cancel(ObjectNode json, String key, String fallbackId, Record<byte[], byte[]> record) {
    long now = clock.getAsLong();
    JobCancel cancel;
    try {
      cancel = JobCodec.cancelOf(json);
    } catch (InvalidJobException e) {
      // Dead-lettered, not REJECTED: a REJECTED under the job's id would read as that job's end while it runs.
      deadLetter(record, "not a valid cancel request: " + e.getMessage());
      return;
    }
    String id = cancel.jobId();
    MDC.put("jobId", id);
    try {
      if (!id.equals(key)) {
        // The accepted-id store is per partition: the cancel must meet its job on the job id's partition.
        context.forward(new Record<String, Object>(id, bytes(json), record.timestamp()), SplitterTopology.REROUTE_SINK);
        return;
      }
      Long mark = accepted.get(id);
      if (mark != null && mark < 0) {
        log.info("job {} is already cancelled", id);
      } else if (mark != null) {
        log.info("cancel requested for job {}: {}", id, cancel.reason());
        JobControl.Cancel control = new JobControl.Cancel(id, now, cancel.reason());
        context.forward(new Record<String, Object>(id, control, record.timestamp()), SplitterTopology.CONTROL_SINK);
      } else {
        // Not accepted yet (or never to come): take the id, so that the job is never run if it arrives late.
        accepted.put(id, -Math.max(1, now));
        log.info("job {} cancelled before it was accepted", id);
        event(new JobEvent.Cancelled(id, now, cancel.reason() != null ? cancel.reason()
            : "cancelled on request before the job was accepted"));
      }
    } finally {
      MDC.remove("jobId");
    }
  }

  /** A pause, resume or priority request: for a job the dispatcher holds, done and announced. */
  private void schedule(ObjectNode json, String key, Record<byte[], byte[]> record) {
    long now = clock.getAsLong();
    JobSchedule request;
    try {
      request = JobCodec.scheduleOf(json);
    } catch (InvalidJobException e) {
      deadLetter(record, "not a valid schedule request: " + e.getMessage());
      return;
    }
    String id = request.jobId();
    MDC.put("jobId", id);
    try {
      if (!id.equals(key)) {
        // The dispatcher's stores are per partition: the request must meet its job on the job id's partition.
        context.forward(new Record<String, Object>(id, bytes(json), record.timestamp()), SplitterTopology.REROUTE_SINK);
        return;
      }
      if (dispatcher == null) {
        log.warn("ignoring {} of job {}: this splitter releases every task at once (no dispatcher)", request, id);
        return;
      }
      switch (request) {
        case JobSchedule.Pause p -> {
          if (dispatcher.pause(id, now) != null) {
            log.info("paused job {}", id);
            control(new JobControl.Pause(id, now), record);
            event(new JobEvent.Paused(id, now));
            return;
          }
        }
        case JobSchedule.Resume r -> {
          QueuedJob before = dispatcher.job(id);
          QueuedJob resumed = dispatcher.resume(id, now);
          if (resumed != null) {
            log.info("resumed job {}", id);
            control(new JobControl.Resume(id, now), record);
            event(new JobEvent.Resumed(id, now, resumed.pausedMs() - before.pausedMs()));
            return;
          }
        }
        case JobSchedule.Reprioritize r -> {
          if (dispatcher.reprioritize(id, r.priority()) != null) {
            log.info("job {} now has priority {}", id, r.priority());
            event(new JobEvent.Prioritized(id, now, r.priority()));
            return;
          }
        }
      }
      QueuedJob job = dispatcher.job(id);
      log.info("{} changes nothing: job {} {}", request, id, job == null ? "has ended or was never accepted here"
          : job.paused() ? "is paused already" : "is not paused");
    } finally {
      MDC.remove("jobId");
    }
  }

  private void control(JobControl control, Record<byte[], byte[]> record) {
    context.forward(new Record<String, Object>(control.jobId(), control, record.timestamp()),
        SplitterTopology.CONTROL_SINK);
  }

  private void split(ObjectNode json, String key, String id, String fallbackId, Record<byte[], byte[]> record) {
    long now = clock.getAsLong();
    if (id.equals(key) && accepted.get(id) != null) {
      // Whatever the repeat says, even if it is broken, the job already has its run and its events.
      log.info("job {} was already accepted or cancelled; a repeated id is not run twice", id);
      return;
    }
    JobRequest job;
    try {
      job = JobCodec.decode(json, fallbackId);
    } catch (InvalidJobException e) {
      reject(id, e, now);
      return;
    }
    if (!id.equals(key)) {
      // Repeats are found in a store that is local to one partition, so a job must sit on its id's
      // partition: send it back to the jobs topic under its id and split it when it comes round.
      json.put("id", id);
      context.forward(new Record<String, Object>(id, bytes(json), record.timestamp()), SplitterTopology.REROUTE_SINK);
      return;
    }
    Plan plan;
    try {
      plan = planner.plan(job, json, now);
    } catch (InvalidJobException e) {
      reject(id, e, now);
      return;
    } catch (BlobStoreException e) {
      if (e.transientFault()) {
        throw e; // the task restarts from its last commit and tries this job again
      }
      reject(id, new InvalidJobException(id, "input", e.getMessage()), now);
      return;
    } catch (UncheckedIOException e) {
      throw e;
    } catch (RuntimeException e) {
      log.error("planning job {} failed unexpectedly", id, e);
      reject(id, new InvalidJobException(id, null, "the job could not be planned: " + e), now);
      return;
    }
    for (Plan.Spec spec : plan.specs()) {
      specs.put(spec.uri(), spec.json());
    }
    context.forward(new Record<String, Object>(id, plan.planned(), record.timestamp()), SplitterTopology.CONTROL_SINK);
    // A renderer only some workers have gets its own task topic, which only those workers read.
    String sink = SplitterTopology.tasksSink(job);
    int priority = JobCodec.priorityOf(json);
    if (dispatcher != null) {
      dispatcher.admit(id, sink, priority, now, plan.tasks());
    } else {
      for (TileTask task : plan.tasks()) {
        context.forward(new Record<String, Object>(id + "/" + task.tile().index(), task, record.timestamp()), sink);
      }
    }
    JobEvent.Accepted a = plan.accepted();
    event(new JobEvent.Accepted(a.jobId(), a.timestamp(), a.type(), a.tiles(), a.width(), a.height(), a.output(),
        priority));
    accepted.put(id, now);
    log.info("accepted job {}: {}", id, plan.summary());
  }

  private void reject(String id, InvalidJobException e, long now) {
    log.info("rejected job {}: {}", id, e.getMessage());
    event(new JobEvent.Rejected(id, now, e.field(), e.getMessage()));
  }

  private void event(JobEvent event) {
    context.forward(new Record<String, Object>(event.jobId(), event, event.timestamp()), SplitterTopology.EVENTS_SINK);
  }

  private void deadLetter(Record<byte[], byte[]> record, String error) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    DeadLetter letter = letters.letter(meta.topic(), meta.partition(), meta.offset(), record.key(), record.value(),
        error, clock.getAsLong());
    log.warn("dead-lettered {}-{}@{}{}: {}", meta.topic(), meta.partition(), meta.offset(),
        letter.valueStored() != null ? " (bytes kept at " + letter.valueStored().uri() + ")" : "", error);
    String key = DeadLetters.recordKey(record.key());
    context.forward(new Record<String, Object>(key, letter, record.timestamp()), SplitterTopology.DEAD_LETTER_SINK);
  }

  /** An id for a job that brought none: fixed by the record's position, so a reprocessed record gets the same one. */
  private String generatedId() {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    return "job-" + UUID.nameUUIDFromBytes((meta.topic() + "/" + meta.partition() + "/" + meta.offset())
        .getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(ObjectNode json) {
    try {
      return Json.MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
