package dev.tilefarm.compositor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.StatsMerge;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statistics passes of process jobs with whole-image ops ({@link ChainPlan}), free of Kafka: counts a
 * pass's tiles in, and when the last is in merges their partial statistics ({@link StatsMerge}), stores the
 * merged statistics of every pass so far, and starts the next pass (another statistics pass, or the output
 * tiles). No worker ever sees the whole image; the compositor sees only statistics.
 *
 * <p>State per job is a small JSON object (the pass under way and its tiles in), kept by the edge in its own
 * store and changed in the same transaction as the tasks it publishes, so each pass starts exactly once.
 *
 * <p>A pass that completes while its job is paused is merged, but the next pass is held: the state keeps what
 * its tasks are made from (under "held"), and {@link #resume} makes and publishes them when the job resumes.
 * Tasks of a pass published before the pause are made regardless, like tiles in hand.
 */
final class PassCoordinator {
  /** Reads of partial statistics at once, shared by every job of the process. */
  private static final int READERS = 8;
  private static final ExecutorService READ_POOL = Executors.newFixedThreadPool(READERS, r -> {
    Thread t = new Thread(r, "compositor-stats-reader");
    t.setDaemon(true);
    return t;
  });

  private static final Logger log = LoggerFactory.getLogger(PassCoordinator.class);
  /** In a job's pass state: what the next pass's tasks are made from, while it waits for the job's resume. */
  private static final String HELD = "held";

  /** What to do: store {@code state} (null: delete it), publish {@code tasks}, or fail the job with {@code failure}. */
  record Step(String state, List<TileTask> tasks, String failure) {
    static final Step NOTHING = new Step(null, List.of(), null);
  }

  private final Blobs blobs;
  private final String bucket;

  PassCoordinator(Blobs blobs, String bucket) {
    this.blobs = blobs;
    this.bucket = bucket;
  }

  /** Applies a statistics tile of pass {@code result.pass()} to the job's pass state ({@code prior}, null if none). */
  Step accept(String jobId, String prior, TileResult.Done result) {
    return accept(jobId, prior, result, false);
  }

  /**
   * As {@link #accept(String, String, TileResult.Done)}; {@code paused}: the job is paused, and a pass that this
   * tile completes holds the next pass back until {@link #resume}.
   */
  Step accept(String jobId, String prior, TileResult.Done result, boolean paused) {
    int pass = result.pass();
    ObjectNode state = prior == null ? null : read(prior.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    int current = state == null ? 0 : state.get("pass").asInt();
    if (state != null && state.has(HELD)) {
      log.debug("ignoring tile {} of pass {}: pass {} is held until the job resumes", result.tile().index(), pass,
          current);
      return keep(prior);
    }
    if (pass < current) {
      log.debug("ignoring tile {} of pass {}: pass {} is under way", result.tile().index(), pass, current);
      return keep(prior);
    }
    if (pass > current) {
      return fail("a tile of pass " + pass + " came in while pass " + current + " is under way");
    }
    TreeSet<Integer> done = new TreeSet<>();
    if (state != null) {
      state.get("done").forEach(n -> done.add(n.asInt()));
    }
    if (!done.add(result.tile().index())) {
      return keep(prior);
    }
    if (done.size() < result.tileCount()) {
      return new Step(state(pass, done), List.of(), null);
    }
    try {
      return nextPass(jobId, pass, result, paused);
    } catch (BlobNotFoundException | InvalidJobException | IllegalArgumentException | IllegalStateException e) {
      return fail("merging the statistics of pass " + pass + ": " + e.getMessage());
    }
  }

  /**
   * The job resumed: the pass held back while it was paused (if any) starts now, once. {@code prior} is the job's
   * pass state (null if none); a job with no held pass is left as it is.
   */
  Step resume(String jobId, String prior) {
    ObjectNode state = prior == null ? null : read(prior.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (state == null || !state.has(HELD)) {
      return keep(prior);
    }
    int next = state.get("pass").asInt();
    JsonNode held = state.get(HELD);
    try {
      List<TileTask> tasks = tasks(jobId, job(jobId), next, held.get("inputWidth").asInt(),
          held.get("inputHeight").asInt(), held.hasNonNull("inputEtag") ? held.get("inputEtag").asText() : null,
          S3Uri.parse(held.get("output").asText()), held.get("acceptedAt").asLong());
      log.info("the job resumed: starting held pass {} with {} tiles", next, tasks.size());
      return new Step(state(next, new TreeSet<>()), tasks, null);
    } catch (BlobNotFoundException | InvalidJobException | IllegalArgumentException | IllegalStateException e) {
      return fail("starting pass " + next + " on the resume: " + e.getMessage());
    }
  }

  private Step nextPass(String jobId, int pass, TileResult.Done result, boolean paused) {
    JobRequest.Process job = job(jobId);
    JsonNode first = read(blobs.get(TileKeys.stats(bucket, jobId, pass, 0)));
    ChainPlan chain = new ChainPlan(job.ops(), first.get("inputWidth").asInt(), first.get("inputHeight").asInt(),
        job.tileSize());
    List<TileRect> tiles = chain.tiles(pass);
    if (tiles.size() != result.tileCount()) {
      throw new IllegalStateException("pass " + pass + " has " + tiles.size() + " tiles, the workers reported "
          + result.tileCount());
    }
    long start = System.nanoTime();
    List<JsonNode> partials = readPartials(jobId, pass, tiles, first);
    long readMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    ImageOp.WholeImage op = (ImageOp.WholeImage) chain.ops().get(chain.statsOp(pass));
    ObjectNode merged = pass == 0 ? Json.MAPPER.createObjectNode()
        : read(blobs.get(TileKeys.mergedStats(bucket, jobId, pass - 1)));
    merged.put("tileSize", chain.tileSize());
    ArrayNode passes = merged.has("passes") ? (ArrayNode) merged.get("passes") : merged.putArray("passes");
    passes.add(StatsMerge.merge(op, tiles, partials));
    S3Uri mergedUri = TileKeys.mergedStats(bucket, jobId, pass);
    blobs.put(mergedUri, bytes(merged), "application/json");

    int next = pass + 1;
    String inputEtag = first.hasNonNull("inputEtag") ? first.get("inputEtag").asText() : null;
    int inputWidth = first.get("inputWidth").asInt();
    int inputHeight = first.get("inputHeight").asInt();
    String nextName = next == chain.passes() - 1 ? "the output" : "pass " + next;
    if (paused) {
      log.info("pass {} of {} merged ({} on {} tiles) in {} ms; the job is paused: {} waits for the resume", pass,
          chain.passes(), op.name(), tiles.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          nextName);
      ObjectNode held = Json.MAPPER.createObjectNode();
      held.put("output", result.output().toString());
      held.put("acceptedAt", result.acceptedAt());
      held.put("inputWidth", inputWidth);
      held.put("inputHeight", inputHeight);
      held.put("inputEtag", inputEtag);
      ObjectNode state = read(state(next, new TreeSet<>()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      state.set(HELD, held);
      return new Step(state.toString(), List.of(), null);
    }
    List<TileTask> tasks = tasks(jobId, job, next, inputWidth, inputHeight, inputEtag, result.output(),
        result.acceptedAt());
    log.info("pass {} of {} merged ({} on {} tiles) in {} ms, {} of them reading the tiles' statistics; starting {} "
        + "with {} tiles", pass, chain.passes(), op.name(), tiles.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), readMs, nextName, tasks.size());
    return new Step(state(next, new TreeSet<>()), tasks, null);
  }

  /** The tasks of pass {@code next} (the output tiles if it is the last), reading the merged statistics before it. */
  private List<TileTask> tasks(String jobId, JobRequest.Process job, int next, int inputWidth, int inputHeight,
      String inputEtag, S3Uri output, long acceptedAt) {
    ChainPlan chain = new ChainPlan(job.ops(), inputWidth, inputHeight, job.tileSize());
    boolean last = next == chain.passes() - 1;
    int end = chain.endOf(next);
    List<TileRect> nextTiles = chain.tiles(next);
    S3Uri jobUri = TileKeys.jobSpec(bucket, jobId);
    S3Uri mergedUri = TileKeys.mergedStats(bucket, jobId, next - 1);
    List<TileTask> tasks = new ArrayList<>(nextTiles.size());
    for (TileRect t : nextTiles) {
      S3Uri tileUri = last ? TileKeys.tile(bucket, jobId, t.index()) : TileKeys.stats(bucket, jobId, next, t.index());
      tasks.add(new TileTask(jobId, nextTiles.size(), chain.width(end), chain.height(end), output, tileUri,
          acceptedAt, null, jobUri, null, new TileTask.Work.PassTile(t, next, mergedUri, inputEtag)));
    }
    return tasks;
  }

  /**
   * The partial statistics of every tile of a pass, in tile order, read {@link #READERS} at a time: each is a
   * small object, so one at a time the round trips would add up to seconds for a large image.
   */
  private List<JsonNode> readPartials(String jobId, int pass, List<TileRect> tiles, JsonNode first) {
    List<Future<JsonNode>> reads = new ArrayList<>(tiles.size());
    for (TileRect t : tiles) {
      reads.add(t.index() == 0 ? CompletableFuture.completedFuture(first)
          : READ_POOL.submit(() -> read(blobs.get(TileKeys.stats(bucket, jobId, pass, t.index())))));
    }
    List<JsonNode> partials = new ArrayList<>(tiles.size());
    try {
      for (Future<JsonNode> f : reads) {
        partials.add(f.get());
      }
      return partials;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the statistics of pass " + pass, e);
    } finally {
      reads.forEach(f -> f.cancel(true));
    }
  }

  private JobRequest.Process job(String jobId) {
    JsonNode json = read(blobs.get(TileKeys.jobSpec(bucket, jobId)));
    JobRequest job = JobCodec.decode(json, jobId);
    if (!(job instanceof JobRequest.Process p)) {
      throw new IllegalStateException("job " + jobId + " is no process job");
    }
    return p;
  }

  private static Step keep(String prior) {
    return new Step(prior, List.of(), null);
  }

  private static Step fail(String reason) {
    return new Step(null, List.of(), reason);
  }

  private static String state(int pass, TreeSet<Integer> done) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.put("pass", pass);
    ArrayNode d = s.putArray("done");
    done.forEach(d::add);
    return s.toString();
  }

  private static ObjectNode read(byte[] bytes) {
    try {
      JsonNode node = Json.MAPPER.readTree(bytes);
      if (!(node instanceof ObjectNode o)) {
        throw new IllegalStateException("not a JSON object");
      }
      return o;
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + e.getMessage(), e);
    }
  }

  static byte[] bytes(JsonNode json) {
    try {
      return Json.MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
