package dev.tilefarm.splitter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.clients.StreamsNodes;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCancel;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobLinks;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.JobRetry;
import dev.tilefarm.schemas.JobSchedule;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
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
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
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
 * <p>A job that waits for others ({@code "after"}, a {@code "job:"} input) is held in the waiting-jobs store until
 * {@link WaitingJobs} releases or ends it, looked at again on a wall-clock timer against the farm's job outcomes
 * (a global store, {@link OutcomeRecorder}); a job this splitter ends itself is recorded with an ENDED of its own,
 * so that jobs after it end too. Every accepted job's JSON is kept for a retry ({@link RetryPlanner}) until it
 * completes or {@code specRetention} after it ended.
 *
 * <p>With a {@link Dispatcher} (the farm's default), an accepted job's tasks go to its lane as the workers have room,
 * highest priority first and round-robin within a priority; the processor then also reads the tile results (which
 * make room) partitioned as the jobs topic (a job the global job outcomes show ENDED is let go on a timer), and takes
 * the schedule requests ({@link JobSchedule}: pause, resume, reprioritize) of the jobs topic.
 */
final class SplitProcessor implements Processor<byte[], byte[], String, Object> {
  private static final Logger log = LoggerFactory.getLogger(SplitProcessor.class);
  /** Job id -> when it was accepted: a repeat of an accepted job is dropped. */
  static final String ACCEPTED_STORE = "accepted-jobs";
  /** Jobs held until the jobs they wait for complete (see {@link WaitingJobs}). */
  static final String WAITING_STORE = "waiting-jobs";
  /** Accepted jobs as submitted, kept for a retry (see {@link RetryPlanner}). */
  static final String RETRY_STORE = "retry-specs";

  private final String sourceTopic;
  private final JobPlanner planner;
  private final JobSpecs specs;
  private final LongSupplier clock;
  private final DeadLetters letters;
  private final RecordRetries retries;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Long> accepted;
  private final WaitingJobs waiting;
  private final Duration waitCheck;
  private final Duration specRetention;
  /** Job id -> a held job waiting for others: {"job", "since", "attempt", "kept", "pending"}. */
  private KeyValueStore<String, byte[]> held;
  /** Job id -> the job as submitted, for a retry: {"job", "attempt", "at"}. */
  private KeyValueStore<String, byte[]> retrySpecs;
  /** The farm's job outcomes, every partition's (global). */
  private KeyValueStore<String, String> outcomes;

  private final Dispatcher.Windows windows;
  private final String resultsTopic;
  private Dispatcher dispatcher;
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);
  /** How often lanes are offered what waits, for room made other than by results (workers joining, jobs ending). */
  static final Duration RELEASE_INTERVAL = Duration.ofMillis(250);

  SplitProcessor(String sourceTopic, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries) {
    this(sourceTopic, planner, specs, clock, letters, retries, new WaitingJobs(SplitterConfig.DEFAULT_DEPENDENCY_GRACE),
        SplitterConfig.DEFAULT_WAIT_CHECK, SplitterConfig.DEFAULT_SPEC_RETENTION, null, null);
  }

  /**
   * @param windows the lanes' windows, or null for no dispatcher: every task goes out at once, first in first out
   * @param resultsTopic the tile results topic (read to settle released tasks), with a dispatcher
   */
  SplitProcessor(String sourceTopic, JobPlanner planner, JobSpecs specs, LongSupplier clock, DeadLetters letters,
      RecordRetries retries, WaitingJobs waiting, Duration waitCheck, Duration specRetention,
      Dispatcher.Windows windows, String resultsTopic) {
    this.windows = windows;
    this.resultsTopic = resultsTopic;
    this.waiting = waiting;
    this.waitCheck = waitCheck;
    this.specRetention = specRetention;
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
    this.accepted = context.getStateStore(ACCEPTED_STORE);
    this.held = context.getStateStore(WAITING_STORE);
    this.retrySpecs = context.getStateStore(RETRY_STORE);
    this.outcomes = context.getStateStore(OutcomeRecorder.STORE);
    context.schedule(waitCheck, PunctuationType.WALL_CLOCK_TIME, t -> checkWaiting());
    context.schedule(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME, t -> purgeRetrySpecs());
    if (windows != null) {
      dispatcher = new Dispatcher(context.getStateStore(Dispatcher.JOBS_STORE),
          context.getStateStore(Dispatcher.TASKS_STORE), windows,
          (sink, task) -> context.forward(new Record<String, Object>(task.jobId() + "/" + task.tile().index(), task,
              clock.getAsLong()), sink));
      context.schedule(RELEASE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, t -> {
        dispatcher.endedWhere(this::runEnded);
        dispatcher.releaseAll();
      });
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
    if (dispatcher != null && context.recordMetadata().map(RecordMetadata::topic).orElse(sourceTopic)
        .equals(resultsTopic)) {
      settle(record);
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
   * A tile result, read only to make room in lanes: one that does not decode is the compositor's to dead-letter,
   * and is passed over here.
   */
  private void settle(Record<byte[], byte[]> record) {
    try {
      TileResult result = RESULTS.decode(record.value());
      if (result != null && result.jobId() != null) {
        dispatcher.settle(result);
      }
    } catch (UndecodableException e) {
      log.debug("passing over a tile result that does not decode: {}", e.getMessage());
    }
  }

  /**
   * Whether the run of {@code jobId} the dispatcher holds has ended, as the farm's job outcomes tell: an end of
   * that run or a later one (a retry's run is the attempt its kept JSON names; an older run's end does not count).
   */
  private boolean runEnded(String jobId) {
    JobOutcomes.Known known = outcome(jobId);
    if (known == null || !known.state().ended()) {
      return false;
    }
    byte[] spec = retrySpecs.get(jobId);
    int run = spec == null ? 1 : read(spec).path("attempt").asInt(1);
    return known.attempt() >= run;
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
    if (json.has("retry")) {
      retry(json, key, record);
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
      if (held.get(id) != null) {
        // Held here, waiting for other jobs: no other role knows it yet, so its end is this splitter's.
        ObjectNode h = read(held.get(id));
        held.delete(id);
        end(id, JobOutcomes.State.CANCELLED, cancel.reason() != null ? cancel.reason()
            : "cancelled on request while waiting for other jobs", h.path("attempt").asInt(1), now);
      } else if (mark != null && mark < 0) {
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
        refuse(id, request, now, "this farm's splitter releases every task at once (no dispatcher), so jobs cannot "
            + "be paused, resumed or given a new priority");
        return;
      }
      byte[] waitingEntry = held.get(id);
      if (waitingEntry != null) {
        scheduleWaiting(id, request, read(waitingEntry), now);
        return;
      }
      // The dispatcher lets an ended run go on its next timer; until then its end, in the job outcomes, decides.
      QueuedJob queued = runEnded(id) ? null : dispatcher.job(id);
      String refusal = ScheduleRefusals.refusal(id, request, queued, false, false, 0, outcome(id));
      if (refusal != null) {
        refuse(id, request, now, refusal);
        return;
      }
      switch (request) {
        case JobSchedule.Pause p -> {
          dispatcher.pause(id, now);
          log.info("paused job {}", id);
          control(new JobControl.Pause(id, now), record.timestamp());
          event(new JobEvent.Paused(id, now));
        }
        case JobSchedule.Resume r -> {
          QueuedJob before = dispatcher.job(id);
          QueuedJob resumed = dispatcher.resume(id, now);
          log.info("resumed job {}", id);
          control(new JobControl.Resume(id, now), record.timestamp());
          event(new JobEvent.Resumed(id, now, resumed.pausedMs() - before.pausedMs()));
        }
        case JobSchedule.Reprioritize r -> {
          dispatcher.reprioritize(id, r.priority());
          log.info("job {} now has priority {}", id, r.priority());
          event(new JobEvent.Prioritized(id, now, r.priority()));
        }
      }
    } finally {
      MDC.remove("jobId");
    }
  }

  /**
   * A schedule request for a job held waiting for others: noted on its entry (a pause as {@code "pausedAt"}, a
   * priority in its JSON) and announced at once; the job is released paused and/or with that priority.
   */
  private void scheduleWaiting(String id, JobSchedule request, ObjectNode h, long now) {
    ObjectNode job = (ObjectNode) h.get("job");
    long pausedAt = h.path("pausedAt").asLong(0);
    String refusal = ScheduleRefusals.refusal(id, request, null, true, pausedAt > 0, JobCodec.priorityOf(job), null);
    if (refusal != null) {
      refuse(id, request, now, refusal);
      return;
    }
    JobEvent event = switch (request) {
      case JobSchedule.Pause p -> {
        h.put("pausedAt", Math.max(1, now));
        yield new JobEvent.Paused(id, now);
      }
      case JobSchedule.Resume r -> {
        h.remove("pausedAt");
        yield new JobEvent.Resumed(id, now, Math.max(0, now - pausedAt));
      }
      case JobSchedule.Reprioritize r -> {
        job.put("priority", r.priority());
        yield new JobEvent.Prioritized(id, now, r.priority());
      }
    };
    held.put(id, bytes(h));
    log.info("waiting job {}: {}", id, request);
    event(event);
  }

  private void refuse(String id, JobSchedule request, long now, String reason) {
    log.info("{} changes nothing: {}", request, reason);
    event(new JobEvent.ScheduleRefused(id, now, JobEvent.ScheduleRefused.requestOf(request), reason));
  }

  private void split(ObjectNode json, String key, String id, String fallbackId, Record<byte[], byte[]> record) {
    long now = clock.getAsLong();
    if (id.equals(key) && accepted.get(id) != null) {
      // Whatever the repeat says, even if it is broken, the job already has its run and its events.
      log.info("job {} was already accepted or cancelled; a repeated id is not run twice", id);
      return;
    }
    try {
      JobCodec.decode(json, fallbackId);
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
    admit(json, id, 1, null, now, record.timestamp());
  }

  /**
   * A job come in (or retried as run {@code attempt}, keeping the tiles {@code kept} of its last run): run it, or
   * hold it while the jobs it waits for have not completed.
   */
  private void admit(ObjectNode json, String id, int attempt, String kept, long now, long timestamp) {
    JobLinks links = JobCodec.linksOf(json, id);
    if (links.none()) {
      plan(json, id, attempt, kept, now, timestamp);
      return;
    }
    WaitingJobs.Decision decision = waiting.decide(id, links, JobLinks.takesFrames(json), now, now, this::outcome);
    switch (decision) {
      case WaitingJobs.Release r -> plan(r.resolve(json), id, attempt, kept, now, timestamp);
      case WaitingJobs.End e -> {
        accepted.put(id, now);
        keepForRetry(json, id, attempt, now);
        end(id, e.outcome(), e.reason(), attempt, now);
      }
      case WaitingJobs.Wait w -> {
        ObjectNode h = Json.MAPPER.createObjectNode();
        h.set("job", json);
        h.put("since", now).put("attempt", attempt).put("kept", kept);
        w.pending().forEach(h.putArray("pending")::add);
        held.put(id, bytes(h));
        accepted.put(id, now);
        keepForRetry(json, id, attempt, now);
        control(new JobControl.Waiting(id, now, links.all()), timestamp);
        event(new JobEvent.Waiting(id, now, w.pending(), JobCodec.priorityOf(json), null).withAttempt(attempt));
        log.info("job {} waits for {}", id, String.join(", ", w.pending()));
      }
    }
  }

  /** Plans {@code json} (its links satisfied) as run {@code attempt}, and emits the plan. */
  private void plan(ObjectNode json, String id, int attempt, String kept, long now, long timestamp) {
    plan(json, id, attempt, kept, now, timestamp, false);
  }

  /** As above; {@code paused}: it was paused while it waited, and starts paused (its workers and clocks told). */
  private void plan(ObjectNode json, String id, int attempt, String kept, long now, long timestamp, boolean paused) {
    JobRequest job;
    Plan plan;
    try {
      job = JobCodec.decode(json, id);
      plan = planner.plan(job, json, now);
    } catch (InvalidJobException e) {
      reject(id, e, now, attempt);
      return;
    } catch (BlobStoreException e) {
      if (e.transientFault()) {
        throw e; // the task restarts from its last commit and tries this job again
      }
      reject(id, new InvalidJobException(id, "input", e.getMessage()), now, attempt);
      return;
    } catch (UncheckedIOException e) {
      throw e;
    } catch (RuntimeException e) {
      log.error("planning job {} failed unexpectedly", id, e);
      reject(id, new InvalidJobException(id, null, "the job could not be planned: " + e), now, attempt);
      return;
    }
    for (Plan.Spec spec : plan.specs()) {
      specs.put(spec.uri(), spec.json());
    }
    List<TileTask> tasks = plan.tasks();
    JobControl.Planned planned = plan.planned();
    if (attempt > 1) {
      String keptTiles = "";
      if (kept != null && RetryPlanner.keepsTiles(tasks)) {
        BitSet keep = RetryPlanner.kept(kept, planned.tiles());
        tasks = RetryPlanner.remaining(tasks, keep);
        keptTiles = dev.tilefarm.schemas.TileRanges.format(keep);
      }
      planned = new JobControl.Planned(id, planned.acceptedAt(), planned.tiles(), planned.width(), planned.height(),
          planned.output(), planned.deadline(), attempt, keptTiles, planned.video(), planned.frames());
    }
    control(planned, timestamp);
    int priority = JobCodec.priorityOf(json);
    emitTasks(job, priority, tasks, now, timestamp, paused && dispatcher != null);
    JobEvent.Accepted a = plan.accepted();
    event(new JobEvent.Accepted(a.jobId(), a.timestamp(), a.type(), a.tiles(), a.width(), a.height(), a.output(),
        priority).withAttempt(attempt));
    if (paused && dispatcher != null) {
      control(new JobControl.Pause(id, now), timestamp);
      event(new JobEvent.Paused(id, now));
    }
    accepted.put(id, now);
    if (attempt == 1 && !retrySpecsHas(id)) {
      keepForRetry(json, id, attempt, now);
    }
    log.info("accepted job {}{}: {}{}", id, attempt > 1 ? " (attempt " + attempt + ")" : "", plan.summary(),
        tasks.size() < plan.tasks().size() ? "; " + (plan.tasks().size() - tasks.size()) + " tasks kept from before"
            : "");
  }

  /**
   * Sends a job's tile tasks out: every task the splitter makes goes through here, to the {@link Dispatcher} where
   * there is one (it releases them as the lane has room, by priority), else at once.
   */
  private void emitTasks(JobRequest job, int priority, List<TileTask> tasks, long now, long timestamp,
      boolean paused) {
    // A renderer only some workers have gets its own task topic, which only those workers read.
    String sink = SplitterTopology.tasksSink(job);
    if (dispatcher != null) {
      dispatcher.admit(job.id(), sink, priority, now, tasks, paused ? Math.max(1, now) : 0);
      return;
    }
    for (TileTask task : tasks) {
      context.forward(new Record<String, Object>(task.jobId() + "/" + task.tile().index(), task, timestamp), sink);
    }
  }

  /**
   * Ends a job this splitter holds (waiting, or failed while being released): its event, and an ENDED of the farm's
   * own so that the jobs after it end too.
   */
  private void end(String id, JobOutcomes.State outcome, String reason, int attempt, long now) {
    log.info("job {} ended {}: {}", id, outcome, reason);
    JobEvent event = outcome == JobOutcomes.State.CANCELLED ? new JobEvent.Cancelled(id, now, reason)
        : new JobEvent.Failed(id, now, reason, null);
    event(event.withAttempt(attempt));
    control(new JobControl.Ended(id, now, outcome.name(), null, attempt > 1 ? attempt : null, "", null), now);
  }

  /** A retry request: run a FAILED or CANCELLED job again, or say why not (RETRY_REFUSED, never an end). */
  private void retry(ObjectNode json, String key, Record<byte[], byte[]> record) {
    long now = clock.getAsLong();
    JobRetry retry;
    try {
      retry = JobCodec.retryOf(json);
    } catch (InvalidJobException e) {
      // Dead-lettered, not REJECTED: a REJECTED under the job's id would read as that job's end.
      deadLetter(record, "not a valid retry request: " + e.getMessage());
      return;
    }
    String id = retry.jobId();
    if (!id.equals(key)) {
      context.forward(new Record<String, Object>(id, bytes(json), record.timestamp()), SplitterTopology.REROUTE_SINK);
      return;
    }
    MDC.put("jobId", id);
    try {
      ObjectNode spec = retrySpecs.get(id) == null ? null : read(retrySpecs.get(id));
      JobOutcomes.Known known = outcome(id);
      String refusal = RetryPlanner.refusal(id, known, held.get(id) != null,
          spec == null ? 0 : spec.path("attempt").asInt(0), spec != null);
      if (refusal != null) {
        log.info("retry refused: {}", refusal);
        event(new JobEvent.RetryRefused(id, now, refusal));
        return;
      }
      int attempt = known.attempt() + 1;
      log.info("retrying job {} as attempt {}{}", id, attempt, known.keptTiles() == null ? ""
          : ", keeping tiles " + known.keptTiles());
      ObjectNode job = (ObjectNode) spec.get("job");
      keepForRetry(job, id, attempt, now);
      admit(job, id, attempt, known.keptTiles(), now, record.timestamp());
    } finally {
      MDC.remove("jobId");
    }
  }

  /** Looks at the held jobs again: releases those whose jobs completed, ends those one of whose jobs did not. */
  private void checkWaiting() {
    List<KeyValue<String, byte[]>> all = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = held.all()) {
      it.forEachRemaining(all::add);
    }
    long now = clock.getAsLong();
    for (KeyValue<String, byte[]> e : all) {
      String id = e.key;
      MDC.put("jobId", id);
      try {
        ObjectNode h = read(e.value);
        ObjectNode json = (ObjectNode) h.get("job");
        int attempt = h.path("attempt").asInt(1);
        String kept = h.hasNonNull("kept") ? h.get("kept").asText() : null;
        WaitingJobs.Decision d = waiting.decide(id, JobCodec.linksOf(json, id), JobLinks.takesFrames(json),
            h.path("since").asLong(), now, this::outcome);
        switch (d) {
          case WaitingJobs.Wait w -> {
            List<String> before = new ArrayList<>();
            h.path("pending").forEach(p -> before.add(p.asText()));
            if (!before.equals(w.pending())) {
              h.remove("pending");
              w.pending().forEach(h.putArray("pending")::add);
              held.put(id, bytes(h));
              event(new JobEvent.Waiting(id, now, w.pending(), JobCodec.priorityOf(json), null)
                  .withAttempt(attempt));
            }
          }
          case WaitingJobs.End end -> {
            held.delete(id);
            end(id, end.outcome(), end.reason(), attempt, now);
          }
          case WaitingJobs.Release r -> {
            held.delete(id);
            log.info("job {}: the jobs it waited for completed", id);
            plan(r.resolve(json), id, attempt, kept, now, now, h.path("pausedAt").asLong(0) > 0);
          }
        }
      } catch (RuntimeException ex) {
        if (mayPass(ex)) {
          throw ex;
        }
        log.error("job {} could not be released", id, ex);
        held.delete(id);
        end(id, JobOutcomes.State.FAILED, "the job could not be released: " + ex, 1, now);
      } finally {
        MDC.remove("jobId");
      }
    }
  }

  /** Forgets the kept JSON of jobs that completed, or that ended longer than the retention ago. */
  private void purgeRetrySpecs() {
    long now = clock.getAsLong();
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = retrySpecs.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> e = it.next();
        JobOutcomes.Known k = outcome(e.key);
        int attempt = read(e.value).path("attempt").asInt(1);
        boolean completed = k != null && k.state() == JobOutcomes.State.COMPLETED && k.attempt() >= attempt;
        boolean old2 = now - read(e.value).path("at").asLong() >= specRetention.toMillis()
            && (k == null || k.state().ended()) && held.get(e.key) == null;
        if (completed || old2) {
          old.add(e.key);
        }
      }
    }
    old.forEach(retrySpecs::delete);
  }

  private boolean retrySpecsHas(String id) {
    return retrySpecs.get(id) != null;
  }

  private void keepForRetry(ObjectNode json, String id, int attempt, long now) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.set("job", json);
    s.put("attempt", attempt).put("at", now);
    retrySpecs.put(id, bytes(s));
  }

  private JobOutcomes.Known outcome(String id) {
    return JobOutcomes.decode(outcomes.get(id));
  }

  private void control(JobControl control, long timestamp) {
    context.forward(new Record<String, Object>(control.jobId(), control, timestamp), SplitterTopology.CONTROL_SINK);
  }

  private static ObjectNode read(byte[] stored) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(stored);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void reject(String id, InvalidJobException e, long now) {
    log.info("rejected job {}: {}", id, e.getMessage());
    event(new JobEvent.Rejected(id, now, e.field(), e.getMessage()));
  }

  /**
   * A job that could not be planned. On arrival it is REJECTED; one that waited (its WAITING was published) or a
   * retry ends FAILED with the reason instead, with an ENDED of the farm's own, so that the jobs after it end too.
   */
  private void reject(String id, InvalidJobException e, long now, int attempt) {
    if (attempt == 1 && held.get(id) == null && !waitedBefore(id)) {
      reject(id, e, now);
    } else {
      end(id, JobOutcomes.State.FAILED, e.getMessage(), attempt, now);
    }
  }

  /** Whether the job waited for others before it was planned (so its WAITING is out and others may wait for it). */
  private boolean waitedBefore(String id) {
    Long mark = accepted.get(id);
    return mark != null && mark > 0;
  }

  private void event(JobEvent event) {
    context.forward(new Record<String, Object>(event.jobId(), event, event.timestamp()), StreamsNodes.EVENTS_SINK);
  }

  private void deadLetter(Record<byte[], byte[]> record, String error) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    DeadLetter letter = letters.letter(meta.topic(), meta.partition(), meta.offset(), record.key(), record.value(),
        error, clock.getAsLong());
    log.warn("dead-lettered {}-{}@{}{}: {}", meta.topic(), meta.partition(), meta.offset(),
        letter.valueStored() != null ? " (bytes kept at " + letter.valueStored().uri() + ")" : "", error);
    String key = DeadLetters.recordKey(record.key());
    context.forward(new Record<String, Object>(key, letter, record.timestamp()), StreamsNodes.DEAD_LETTER_SINK);
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
