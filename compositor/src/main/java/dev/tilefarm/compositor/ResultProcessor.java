package dev.tilefarm.compositor;

import dev.tilefarm.clients.StreamsNodes;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * The Kafka side of {@link JobAggregator}: decodes a tile result from its raw bytes, applies it to the job's
 * stored state, stores the new state and forwards the events — all inside the task's transaction. A record
 * that is not a tile result goes to the dead-letter topic, in the same transaction, and processing goes on.
 *
 * <p>A DONE result is a claim anyone who can write the topic could make: before it counts, {@link TileCheck}
 * makes sure it names the object the compositor derives for the tile and gives that object's sha256; one that
 * does not is dead-lettered with the reason, and the job goes on waiting for its real tile. The checked sha256
 * is kept per tile ({@link CompositorTopology#DIGEST_STORE}) until the job ends, and the assembler refuses a
 * tile whose bytes no longer have it.
 *
 * <p>A FAILED result for a job whose plan is not in yet does not end the job: anyone could publish one for a
 * job id before that job is submitted, and the real job would then never end. It waits for the plan (in the
 * digest store, under "jobId/failed/index"), which applies it only if it names one of the plan's tiles and the
 * plan's acceptedAt (a worker's result carries its task's, which is the plan's).
 */
final class ResultProcessor implements Processor<byte[], byte[], String, Object> {
  private static final Logger log = LoggerFactory.getLogger(ResultProcessor.class);
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);
  private static final JsonSerde<JobControl> CONTROLS = new JsonSerde<>(JobControl.class);
  /**
   * The largest tile result or job control record taken. Real ones are metadata of a few hundred bytes (a
   * failure's reason, a log's URI); a larger one is refused before its text can reach a job event or the state
   * store, where it could make a record the producer refuses, and under exactly-once such a refusal aborts
   * the transaction: the compositor would fail on the same record for ever.
   */
  static final int MAX_RECORD_BYTES = 256 * 1024;

  private final JobAggregator aggregator;
  /** Statistics passes of process jobs; null: this compositor fails jobs that need them. */
  private final PassCoordinator passes;
  private KeyValueStore<String, String> passStates;
  /** "jobId/index" -> the checked sha256 of that done tile, until the job ends. */
  private KeyValueStore<String, String> digests;
  private final TileCheck check;
  private final InstantSource clock;
  private final Duration progressInterval;
  private final Duration purgeInterval;
  private final Duration checkInterval;
  private final String controlTopic;
  private final DeadLetters letters;
  private final RecordRetries retries;
  /** Retries: what a failed or cancelled run keeps, and which run a job is on. */
  private final RetryKeeper keeper;
  /** Job id -> {@link JobRun}: its run under way from attempt 2, or its last FAILED or CANCELLED run. */
  private KeyValueStore<String, byte[]> runs;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, JobState> store;
  /**
   * Jobs with a PROGRESS count held back by the throttle. In memory only: after a restart or a rebalance a
   * held-back count waits for the job's next tile instead, which costs a dashboard a moment, nothing more.
   */
  private final Set<String> pendingProgress = new LinkedHashSet<>();
  /**
   * What the workers said of the tiles they are still making, for PROGRESS fractions. In memory only (see
   * {@link InTileProgress}): after a restart or a rebalance the workers' next reports fill it again. A job's
   * entry is dropped when the job ends, so it holds only this task's unfinished jobs.
   */
  private final InTileProgress inTile = new InTileProgress();

  ResultProcessor(JobAggregator aggregator, PassCoordinator passes, TileCheck check, InstantSource clock,
      Duration progressInterval, Duration purgeInterval, Duration checkInterval, String controlTopic,
      DeadLetters letters, RecordRetries retries, RetryKeeper keeper) {
    this.keeper = keeper;
    this.letters = letters;
    this.retries = retries;
    this.passes = passes;
    this.check = check;
    this.aggregator = aggregator;
    this.clock = clock;
    this.progressInterval = progressInterval;
    this.purgeInterval = purgeInterval;
    this.checkInterval = checkInterval;
    this.controlTopic = controlTopic;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(CompositorTopology.STORE);
    this.passStates = context.getStateStore(CompositorTopology.PASS_STORE);
    this.digests = context.getStateStore(CompositorTopology.DIGEST_STORE);
    this.runs = context.getStateStore(CompositorTopology.RUNS_STORE);
    Duration runCheck = keeper.retention().compareTo(CompositorConfig.PURGE_INTERVAL) < 0 ? keeper.retention()
        : CompositorConfig.PURGE_INTERVAL;
    context.schedule(runCheck.isZero() ? Duration.ofSeconds(1) : runCheck, PunctuationType.WALL_CLOCK_TIME,
        t -> releaseKept());
    context.schedule(progressInterval, PunctuationType.WALL_CLOCK_TIME, t -> flushProgress());
    context.schedule(purgeInterval, PunctuationType.WALL_CLOCK_TIME, t -> purgeEnded());
    context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, t -> checkTimes());
  }

  /**
   * Whatever a record holds, the compositor moves past it: a failure that may pass (object storage
   * unreachable) is thrown, so the thread is replaced and the record tried again from the last commit (see
   * {@link StreamsErrorPolicy}), until it has failed for long enough ({@link RecordRetries}); any other failure,
   * and one given up, dead-letters the record instead of shutting the compositor down. Kafka's own exceptions
   * (a fenced producer, a migrated task) are Streams' business.
   */
  @Override
  public void process(Record<byte[], byte[]> record) {
    if (record.value() != null && record.value().length > MAX_RECORD_BYTES) {
      deadLetter(record, "the record is " + record.value().length + " bytes; tile results and job control records "
          + "are at most " + MAX_RECORD_BYTES);
      return;
    }
    retries.handle(this::position, () -> handle(record), StreamsErrorPolicy::retriable,
        e -> deadLetter(record, "the compositor failed on this record: " + e));
  }

  private void handle(Record<byte[], byte[]> record) {
    if (controlTopic.equals(context.recordMetadata().map(RecordMetadata::topic).orElse(""))) {
      control(record);
      return;
    }
    TileResult result;
    try {
      result = decode(record);
    } catch (UndecodableException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    String jobId = result.jobId();
    MDC.put("jobId", jobId);
    MDC.put("tileId", jobId + "/" + result.tile().index());
    try {
      if (result instanceof TileResult.Done done && done.pass() != null) {
        pass(jobId, done, record);
        return;
      }
      JobState prior = store.get(jobId);
      switch (result) {
        case TileResult.Failed failed when unplanned(prior) -> {
          // Anyone who can write the topic could fail a job id before the job is submitted; ending the id here
          // would leave the real job, accepted later, without any terminal event. A worker's own failure can only
          // be here first by the two topics' interleaving (the splitter commits the plan with the tasks): it waits
          // for the plan, which applies it if it names one of its tiles.
          log.info("tile {} failed before the job's plan came in: held until the plan", failed.tile().index());
          String held = new String(RESULTS.encode(failed), StandardCharsets.UTF_8);
          digests.put(heldKey(jobId, failed.tile().index()), held);
          return;
        }
        case TileResult.Done done when counts(prior, done) -> {
          String refused = check.refusal(jobId, done);
          if (refused != null) {
            deadLetter(record, "a forged or stray tile result: " + refused);
            return;
          }
          digests.put(digestKey(jobId, done.tile().index()), done.sha256().toLowerCase(java.util.Locale.ROOT));
        }
        case TileResult.Done done when !check.objectOf(jobId, done).equals(done.tileUri()) -> {
          // Too late to count, but no repeat of the farm's own result either (that names the tile's own object):
          // a forged one is dead-lettered whenever it comes, not only while its tile is still missing.
          deadLetter(record, "a forged or stray tile result: tile " + done.tile().index() + " of job " + jobId
              + ": the result names " + done.tileUri() + ", but the tile's object is "
              + check.objectOf(jobId, done));
          return;
        }
        case TileResult.Done done -> { } // a repeat of the farm's own result, too late to count
        case TileResult.Failed failed when RetryKeeper.stale(JobRun.decode(runs.get(jobId)), failed) -> {
          log.info("ignoring tile {}'s failure: it is of an earlier run of the job", failed.tile().index());
          return;
        }
        case TileResult.Failed failed -> { }
        case TileResult.Progress progress -> { }
        case TileResult.Encoded encoded -> { } // checked against the video the job waits for (VideoStep)
        case TileResult.Returned returned -> {
          return; // a paused job's task a worker handed back, not made: the splitter's to release again
        }
      }
      JobAggregator.Step step = aggregator.accept(jobId, prior, result, inTile, digestsOf(jobId));
      apply(jobId, step);
    } finally {
      MDC.remove("tileId");
      MDC.remove("jobId");
    }
  }

  /** How many jobs this task remembers tiles in progress of (for tests: it must not grow with ended jobs). */
  int jobsWithTilesInProgress() {
    return inTile.jobs();
  }

  /**
   * Whether {@code done} would count for its job: not when the job has ended or the tile is done (the aggregator
   * ignores those, and an ended job's tiles are deleted, so there is nothing to check them against).
   */
  private static boolean counts(JobState prior, TileResult.Done done) {
    int index = done.tile().index();
    return !(prior instanceof JobEnded)
        && !(prior instanceof JobProgress p && index >= 0 && index < p.tileCount && p.isDone(index));
  }

  private static String digestKey(String jobId, int index) {
    return jobId + "/" + index;
  }

  /** Whether the job's plan is not in yet: nothing known of it, or only tiles that overtook the plan. */
  private static boolean unplanned(JobState prior) {
    return prior == null || prior instanceof JobProgress p && p.output == null;
  }

  /**
   * The key of a FAILED result waiting for its job's plan, in the digest store: "jobId/failed/index", within the
   * job's range there, so it is forgotten with the job's digests when the job ends.
   */
  private static String heldKey(String jobId, int index) {
    return jobId + "/failed/" + index;
  }

  /**
   * The plan is in: the FAILED results that waited for it are forgotten, and the first of them (by tile index)
   * that names a tile of the plan and the plan's acceptedAt fails the job, unless it has ended already (all its
   * tiles were in, for one).
   */
  private void releaseHeld(String jobId, JobControl.Planned planned) {
    List<String> keys = new ArrayList<>();
    TileResult.Failed first = null;
    // '0' follows '/': the range is exactly this job's held failures.
    try (KeyValueIterator<String, String> held = digests.range(jobId + "/failed/", jobId + "/failed0")) {
      while (held.hasNext()) {
        KeyValue<String, String> e = held.next();
        keys.add(e.key);
        TileResult.Failed failed = (TileResult.Failed) RESULTS.decode(e.value.getBytes(StandardCharsets.UTF_8));
        int index = failed.tile().index();
        // A worker's result carries its task's acceptedAt, which is the plan's: one published before the job was
        // accepted cannot know it.
        if (failed.acceptedAt() == planned.acceptedAt() && index >= 0 && index < planned.tiles()
            && (first == null || index < first.tile().index())) {
          first = failed;
        }
      }
    }
    keys.forEach(digests::delete);
    if (!keys.isEmpty()) {
      log.info("the plan is in: {} tile failures waited for it; {}", keys.size(), first == null
          ? "none names its acceptedAt and one of its " + planned.tiles() + " tiles: dropped"
          : "tile " + first.tile().index() + " fails the job");
    }
    if (first != null) {
      apply(jobId, aggregator.accept(jobId, store.get(jobId), first, inTile, digestsOf(jobId)));
    }
  }

  /** The checked sha256 of the job's done tiles, by index. */
  private java.util.function.IntFunction<String> digestsOf(String jobId) {
    return i -> digests.get(digestKey(jobId, i));
  }

  /** Forgets the checked sha256 of an ended job's tiles. */
  private void forgetDigests(String jobId) {
    List<String> keys = new ArrayList<>();
    // Job ids hold no '/', and '0' follows it: the range is exactly this job's "jobId/index" keys.
    try (KeyValueIterator<String, String> all = digests.range(jobId + "/", jobId + "0")) {
      all.forEachRemaining(e -> keys.add(e.key));
    }
    keys.forEach(digests::delete);
  }

  /** A tile of a statistics pass: counted, and the last one merges the pass and starts the next. */
  private void pass(String jobId, TileResult.Done done, Record<byte[], byte[]> record) {
    JobState job = store.get(jobId);
    if (job instanceof JobEnded) {
      return; // ended (cancelled, failed, timed out): no further pass
    }
    String refused = check.refusal(jobId, done);
    if (refused != null) {
      deadLetter(record, "a forged or stray tile result: " + refused);
      return;
    }
    PassCoordinator.Step step = passes == null
        ? new PassCoordinator.Step(null, List.of(), "this compositor runs no statistics passes")
        : passes.accept(jobId, passStates.get(jobId), done, pauseClock(jobId).paused());
    if (step.failure() != null) {
      passStates.delete(jobId);
      apply(jobId, aggregator.accept(jobId, job, new TileResult.Failed(jobId, done.tile(), done.tileCount(),
          step.failure(), CompositorTopology.ROLE, done.acceptedAt()), inTile));
      return;
    }
    publishPass(jobId, step);
  }

  /**
   * The job resumed: a pass held back while it was paused starts now, in the transaction of the RESUME (see
   * {@link PassCoordinator#resume}). An ended job's held pass is never started.
   */
  private void resumePass(String jobId) {
    if (passes == null || store.get(jobId) == null || store.get(jobId) instanceof JobEnded) {
      return;
    }
    PassCoordinator.Step step = passes.resume(jobId, passStates.get(jobId));
    if (step.failure() != null) {
      passStates.delete(jobId);
      apply(jobId, aggregator.fail(jobId, null, step.failure()));
      return;
    }
    publishPass(jobId, step);
  }

  /** Stores a job's new pass state and publishes the tasks of the pass it starts, if any. */
  private void publishPass(String jobId, PassCoordinator.Step step) {
    if (step.state() == null) {
      passStates.delete(jobId);
    } else {
      passStates.put(jobId, step.state());
    }
    for (dev.tilefarm.schemas.TileTask task : step.tasks()) {
      context.forward(new Record<String, Object>(jobId + "/" + task.tile().index(), task, clock.millis()),
          StreamsNodes.TASKS_SINK);
    }
  }

  private void apply(String jobId, JobAggregator.Step step) {
    JobRun run = JobRun.decode(runs.get(jobId));
    if (step.state() != null) {
      JobState before = step.state() instanceof JobEnded ? store.get(jobId) : null;
      store.put(jobId, step.state());
      if (step.state() instanceof JobEnded ended) {
        inTile.forget(jobId);
        passStates.delete(jobId); // no further pass; a retry plans its passes from the first again
        RetryKeeper.Ending ending = keeper.ended(jobId, ended, before, run, step.events());
        if (ending.run() == null) {
          runs.delete(jobId);
        } else {
          runs.put(jobId, JobRun.encode(ending.run()));
        }
        if (ending.run() == null || ending.run().kept() == null) {
          forgetDigests(jobId); // a failed run's kept tiles keep theirs, for the retry
        }
        // Workers skip a job's tiles, and the janitor deletes them, only on the farm's own control records, never
        // on job events (which clients read, and a forged FAILED there must not stop a live job): tell them here,
        // in the transaction of the terminal event.
        context.forward(new Record<String, Object>(jobId, ending.control(), ended.endedAt()),
            CompositorTopology.CONTROL_SINK);
      }
    }
    int attempt = run == null ? 1 : run.attempt();
    for (JobEvent unmarked : step.events()) {
      JobEvent event = unmarked.withAttempt(attempt);
      context.forward(new Record<String, Object>(jobId, event, event.timestamp()), StreamsNodes.EVENTS_SINK);
    }
    for (dev.tilefarm.schemas.TileTask task : step.tasks()) {
      context.forward(new Record<String, Object>(jobId + "/video", task, clock.millis()),
          CompositorTopology.VIDEO_TASKS_SINK);
    }
    if (step.progressPending()) {
      pendingProgress.add(jobId);
    } else if (step.state() instanceof JobEnded
        || step.events().stream().anyMatch(e -> e instanceof JobEvent.Progress)) {
      // What was held back went out with this PROGRESS, or will never be due. A step that changes nothing (a
      // duplicate, a report that is no news) leaves a held-back PROGRESS waiting for the flush.
      pendingProgress.remove(jobId);
    }
  }

  private void control(Record<byte[], byte[]> record) {
    JobControl control;
    try {
      control = CONTROLS.decode(record.value());
      if (control.jobId() == null || !control.jobId().equals(utf8(record.key()))) {
        throw new UndecodableException("job control records are keyed by their job id", null);
      }
      if (control instanceof JobControl.Planned planned && (planned.output() == null || planned.tiles() < 1
          || planned.width() < 1 || planned.height() < 1)) {
        throw new UndecodableException("not a valid JobControl: a PLANNED record needs output, and tiles, width "
            + "and height of at least 1", null);
      }
    } catch (UndecodableException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    String jobId = control.jobId();
    MDC.put("jobId", jobId);
    try {
      JobState prior = store.get(jobId);
      // Before planned(), which gives a progress waiting for the plan its output.
      boolean firstPlan = unplanned(prior);
      // ENDED is this compositor's own word that the job ended (for workers and the janitor): nothing to do here.
      JobAggregator.Step step = switch (control) {
        case JobControl.Planned planned when planned.attemptNumber() > 1 -> retried(jobId, planned);
        case JobControl.Planned planned -> aggregator.planned(jobId, prior, planned, digestsOf(jobId));
        case JobControl.Cancel cancel -> aggregator.cancel(jobId, prior, cancel);
        case JobControl.Ended ended -> JobAggregator.Step.NOTHING;
        case JobControl.Pause pause -> clocks(jobId, prior, pauseClock(jobId).pause(pause.timestamp()));
        case JobControl.Resume resume -> clocks(jobId, prior, pauseClock(jobId).resume(resume.timestamp()));
        case JobControl.Waiting waiting -> JobAggregator.Step.NOTHING; // the splitter's: the job is not planned yet
      };
      apply(jobId, step);
      if (firstPlan && control instanceof JobControl.Planned planned) {
        releaseHeld(jobId, planned);
      }
      if (control instanceof JobControl.Resume) {
        resumePass(jobId);
      }
    } finally {
      MDC.remove("jobId");
    }
  }

  /**
   * How pausing moved a job's clocks (see {@link PauseClock}): kept beside its tiles' digests, under
   * "jobId/paused", so that it is forgotten with them when the job ends.
   */
  private PauseClock pauseClock(String jobId) {
    return PauseClock.decode(digests.get(jobId + "/paused"));
  }

  /** Keeps a pause or resume of a job that has not ended (the splitter's word; its events are the splitter's). */
  private JobAggregator.Step clocks(String jobId, JobState prior, PauseClock clock) {
    if (prior == null || prior instanceof JobEnded) {
      return JobAggregator.Step.NOTHING; // nothing to time: a job not planned here, or one that has ended
    }
    digests.put(jobId + "/paused", clock.encode());
    return JobAggregator.Step.NOTHING;
  }

  /** A retry's plan (attempt 2 and on): the job runs again, from the tiles its last run kept. */
  private JobAggregator.Step retried(String jobId, JobControl.Planned planned) {
    JobRun run = JobRun.decode(runs.get(jobId));
    if (run != null && run.outcome() == null && run.attempt() >= planned.attemptNumber()) {
      return JobAggregator.Step.NOTHING; // this run's plan again
    }
    RetryKeeper.Restart restart = keeper.retried(jobId, run, planned, digestsOf(jobId));
    if (restart.forgetDigests()) {
      forgetDigests(jobId);
    }
    store.delete(jobId); // the last run's end: the new run's state replaces it
    passStates.delete(jobId); // a process job's statistics passes start again from pass 0
    runs.put(jobId, JobRun.encode(restart.run()));
    return restart.step();
  }

  /** Lets go of the tiles failed and cancelled runs kept, once their retention ran out (see {@link RetryKeeper}). */
  private void releaseKept() {
    List<KeyValue<String, byte[]>> expired = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = runs.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> e = all.next();
        if (keeper.expired(JobRun.decode(e.value))) {
          expired.add(e);
        }
      }
    }
    for (KeyValue<String, byte[]> e : expired) {
      JobRun run = JobRun.decode(e.value);
      runs.delete(e.key);
      if (run.kept() != null) {
        forgetDigests(e.key);
        context.forward(new Record<String, Object>(e.key, RetryKeeper.release(e.key, run), clock.millis()),
            CompositorTopology.CONTROL_SINK);
      }
    }
  }

  /** Fails unfinished jobs past their deadline or stuck for too long (see {@link JobAggregator#checkTime}). */
  private void checkTimes() {
    List<KeyValue<String, JobState>> open = new ArrayList<>();
    try (KeyValueIterator<String, JobState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, JobState> entry = all.next();
        if (!(entry.value instanceof JobEnded)) {
          open.add(entry);
        }
      }
    }
    for (KeyValue<String, JobState> entry : open) {
      MDC.put("jobId", entry.key);
      try {
        apply(entry.key, aggregator.checkTime(entry.key, entry.value, pauseClock(entry.key)));
      } finally {
        MDC.remove("jobId");
      }
    }
  }

  private void flushProgress() {
    for (String jobId : List.copyOf(pendingProgress)) {
      MDC.put("jobId", jobId);
      try {
        JobAggregator.Step step = aggregator.flushProgress(jobId, store.get(jobId), inTile);
        apply(jobId, step);
        if (!step.progressPending()) {
          pendingProgress.remove(jobId); // published, or nothing left to publish
        }
      } finally {
        MDC.remove("jobId");
      }
    }
  }

  /** Forgets jobs that ended long enough ago that no duplicate of their results is expected any more. */
  private void purgeEnded() {
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, JobState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, JobState> entry = all.next();
        if (aggregator.expired(entry.value)) {
          expired.add(entry.key);
        }
      }
    }
    expired.forEach(store::delete);
    if (!expired.isEmpty()) {
      log.info("forgot {} ended jobs", expired.size());
    }
  }

  /**
   * The tile result in {@code record}, or why it is not one. Besides JSON that is no {@code TileResult}, a
   * record is refused if its key is not its job id (its job's other results are elsewhere, so it could
   * never be joined with them) or if it lacks a field without which it cannot be placed.
   */
  static TileResult decode(Record<byte[], byte[]> record) {
    TileResult result = RESULTS.decode(record.value());
    String key = utf8(record.key());
    if (result.jobId() == null || result.jobId().isEmpty()) {
      throw new UndecodableException("not a valid TileResult: it has no jobId", null);
    }
    if (!result.jobId().equals(key)) {
      throw new UndecodableException((key == null ? "the record has no key" : "the record's key is '" + key + "'")
          + ", but tile results are keyed by their job id '" + result.jobId() + "'", null);
    }
    if (result.tile() == null) {
      throw new UndecodableException("not a valid TileResult: it has no tile", null);
    }
    if (result instanceof TileResult.Done done && (done.output() == null || done.tileUri() == null)) {
      throw new UndecodableException("not a valid TileResult: a DONE result needs output and tileUri", null);
    }
    return result;
  }

  private static String utf8(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new UndecodableException("the record's key is not UTF-8", e);
    }
  }

  private String position() {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    return RecordRetries.position(meta.topic(), meta.partition(), meta.offset());
  }

  private void deadLetter(Record<byte[], byte[]> record, String error) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    log.warn("sending the record at {}-{}@{} to the dead-letter topic: {}", meta.topic(), meta.partition(),
        meta.offset(), error);
    DeadLetter letter = letters.letter(meta.topic(), meta.partition(), meta.offset(), record.key(), record.value(),
        error, clock.millis());
    String key = DeadLetters.recordKey(record.key());
    context.forward(new Record<String, Object>(key, letter, letter.timestamp()), StreamsNodes.DEAD_LETTER_SINK);
  }
}
