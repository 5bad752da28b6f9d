package dev.tilefarm.splitter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCancel;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.RecordRetries;
import dev.tilefarm.store.TileKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The splitter's Kafka edge for one job record: decode, plan, emit. Everything it emits for a record (tile
 * tasks, the ACCEPTED or REJECTED event, a dead letter, the accepted-id mark) commits in one transaction.
 *
 * <p>The accepted-jobs store maps a job id to when it was accepted, or, for a job cancelled before it was
 * ever accepted, to minus the time of the cancel: either way the id is taken and a later job under it is
 * not run. A cancel of an accepted job is passed on to the compositor, which alone decides how an accepted
 * job ends; a cancel of a job not seen yet is answered here with CANCELLED, since no other role knows it.
 */
final class SplitProcessor implements Processor<byte[], byte[], String, Object> {
  private static final Logger log = LoggerFactory.getLogger(SplitProcessor.class);

  private final String sourceTopic;
  private final JobPlanner planner;
  private final JobSpecs specs;
  private final String bucket;
  private final LongSupplier clock;
  private final DeadLetters letters;
  private final RecordRetries retries;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Long> accepted;

  SplitProcessor(String sourceTopic, JobPlanner planner, JobSpecs specs, String bucket, LongSupplier clock,
      DeadLetters letters, RecordRetries retries) {
    this.letters = letters;
    this.retries = retries;
    this.sourceTopic = sourceTopic;
    this.planner = planner;
    this.specs = specs;
    this.bucket = bucket;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.accepted = context.getStateStore(SplitterTopology.ACCEPTED_STORE);
  }

  /**
   * Whatever a record holds, the splitter moves past it: a failure that may pass (object storage
   * unreachable) is thrown, so the thread is replaced and the record tried again from the last commit, until
   * it has failed for long enough ({@link RecordRetries}); any other failure, and one given up, dead-letters
   * the record. Kafka's own exceptions (a fenced producer, a migrated task) are Streams' business.
   */
  @Override
  public void process(Record<byte[], byte[]> record) {
    try {
      handle(record);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw e;
    } catch (RuntimeException e) {
      RecordMetadata meta = context.recordMetadata().orElseThrow();
      if (mayPass(e) && !retries.failedAndGiveUp(RecordRetries.position(meta.topic(), meta.partition(), meta.offset()))) {
        throw e;
      }
      log.error("giving up the record at {}-{}@{}", meta.topic(), meta.partition(), meta.offset(), e);
      deadLetter(record, "the splitter failed on this record: " + e);
    }
  }

  private static boolean mayPass(RuntimeException e) {
    return e instanceof UncheckedIOException || e instanceof BlobStoreException b && b.transientFault();
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
            : "cancelled on request before the job was accepted"), null);
      }
    } finally {
      MDC.remove("jobId");
    }
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
    json.put("id", id);
    if (!id.equals(key)) {
      // Repeats are found in a store that is local to one partition, so a job must sit on its id's
      // partition: send it back to the jobs topic under its id and split it when it comes round.
      context.forward(new Record<String, Object>(id, bytes(json), record.timestamp()), SplitterTopology.REROUTE_SINK);
      return;
    }
    Plan plan;
    try {
      plan = planner.plan(job);
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
    byte[] jobBytes = bytes(json);
    ObjectNode inline = null;
    S3Uri jobUri = null;
    if (jobBytes.length <= SplitterTopology.INLINE_JOB_BYTES) {
      inline = json;
    } else {
      jobUri = TileKeys.jobSpec(bucket, id);
      specs.put(jobUri, jobBytes);
    }
    int count = plan.tileCount();
    Long deadline = job.deadline(now);
    JobControl.Planned planned = new JobControl.Planned(id, now, count, plan.width(), plan.height(), plan.output(),
        deadline);
    context.forward(new Record<String, Object>(id, planned, record.timestamp()), SplitterTopology.CONTROL_SINK);
    ChainPlan chain = plan.chain();
    if (chain != null && chain.passes() > 1) {
      startStatisticsPass(id, json, plan, now, deadline, record);
      return;
    }
    // A renderer only some workers have gets its own task topic, which only those workers read.
    String sink = SplitterTopology.tasksSink(job);
    JobRequest.Frames frames = plan.frames();
    boolean sequence = frames != null && frames.sequence();
    int perFrame = plan.tiles().size();
    int packTiles = TilePacking.packTiles(job, plan);
    if (packTiles > 1) {
      List<TileRect> tiles = plan.tiles();
      for (int first = 0; first < tiles.size(); first += packTiles) {
        List<TileRect> pack = tiles.subList(first, Math.min(tiles.size(), first + packTiles));
        TileTask task = new TileTask(id, count, plan.width(), plan.height(), plan.output(),
            TileKeys.pack(bucket, id, first), now, inline, jobUri, deadline, new TileTask.Work.Pack(pack, packTiles));
        context.forward(new Record<String, Object>(id + "/" + first, task, record.timestamp()), sink);
      }
    }
    // Frame by frame, so that the first frames are done (and assembled) first.
    for (int f = 0; f < (packTiles > 1 ? 0 : sequence ? frames.count() : 1); f++) {
      for (TileRect t : plan.tiles()) {
        TileRect tile = f == 0 ? t : new TileRect(f * perFrame + t.index(), t.x(), t.y(), t.width(), t.height());
        TileTask.Work work = frames == null ? new TileTask.Work.Tile(tile, plan.inputEtag())
            : new TileTask.Work.FrameTile(tile, frames.number(f), sequence ? perFrame : null);
        TileTask task = new TileTask(id, count, plan.width(), plan.height(), plan.output(),
            TileKeys.tile(bucket, id, tile.index()), now, inline, jobUri, deadline, work);
        context.forward(new Record<String, Object>(id + "/" + tile.index(), task, record.timestamp()), sink);
      }
    }
    event(new JobEvent.Accepted(id, now, job.type(), count, plan.width(), plan.height(), plan.output()), record);
    accepted.put(id, now);
    log.info("accepted job {}: {} {}x{} in {} tiles{} -> {}", id, job.type(), plan.width(), plan.height(), count,
        packTiles > 1 ? " (packs of " + packTiles + ")" : "", plan.output());
  }

  /**
   * A process job with whole-image ops starts with its first statistics pass (see {@link ChainPlan}); the
   * compositor merges each pass and starts the next. The job is stored (with the tile size it was planned
   * with), since the compositor plans the later passes from it.
   */
  private void startStatisticsPass(String id, ObjectNode json, Plan plan, long now, Long deadline,
      Record<byte[], byte[]> record) {
    ChainPlan chain = plan.chain();
    json.put("tileSize", chain.tileSize());
    S3Uri jobUri = TileKeys.jobSpec(bucket, id);
    specs.put(jobUri, bytes(json));
    int end = chain.endOf(0);
    List<TileRect> tiles = chain.tiles(0);
    for (TileRect t : tiles) {
      TileTask task = new TileTask(id, tiles.size(), chain.width(end), chain.height(end), plan.output(),
          TileKeys.stats(bucket, id, 0, t.index()), now, null, jobUri, deadline,
          new TileTask.Work.PassTile(t, 0, null, plan.inputEtag()));
      context.forward(new Record<String, Object>(id + "/" + t.index(), task, record.timestamp()),
          SplitterTopology.TASKS_SINK);
    }
    int count = plan.tileCount();
    event(new JobEvent.Accepted(id, now, plan.job().type(), count, plan.width(), plan.height(), plan.output()), record);
    accepted.put(id, now);
    log.info("accepted job {}: process {}x{} in {} passes, {} statistics tiles first, {} output tiles -> {}", id,
        plan.width(), plan.height(), chain.passes(), tiles.size(), count, plan.output());
  }

  private void reject(String id, InvalidJobException e, long now) {
    log.info("rejected job {}: {}", id, e.getMessage());
    event(new JobEvent.Rejected(id, now, e.field(), e.getMessage()), null);
  }

  private void event(JobEvent event, Record<byte[], byte[]> cause) {
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
