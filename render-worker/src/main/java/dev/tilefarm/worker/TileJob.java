package dev.tilefarm.worker;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.UndecodableException;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.store.TileKeys;
import dev.tilefarm.store.TilePack;
import dev.tilefarm.worker.ops.TileProcessor;
import dev.tilefarm.worker.render.RenderContext;
import dev.tilefarm.worker.render.external.TileLog;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tile task made into its stored object and its results: the render worker's domain core above {@link
 * TileMaker}, free of Kafka. A task is made in two steps, so that a render thread takes its next tile while the
 * last is stored: {@link #render} (fetch the job, make the pixels, the statistics or the pack, encode them) and
 * {@link #store} (put the object in S3, announce its results). Each step retries a fault that may pass in place,
 * with the {@link DeliveryPolicy}'s backoff, and ends in a {@link TileOutcome}; {@link #run} does both on the
 * calling thread.
 */
final class TileJob {
  private static final Logger log = LoggerFactory.getLogger(TileJob.class);

  /** The delivery a task is made for, as the job sees it. */
  interface Delivery {
    TileTask task();

    /** How many times the broker has delivered the task (1 on its first delivery). */
    int attempt();

    /** Its job ended or the worker is stopping: the tile's pixels are neither stored nor announced. */
    boolean abandoned();
  }

  /**
   * Where a stored object's results go (the tile results topic). Blocks until they are taken; throws {@link
   * AnnounceException} when they were not, a fault that may pass.
   */
  @FunctionalInterface
  interface Announcer {
    void announce(List<? extends TileResult> results) throws InterruptedException;
  }

  /** The results of a stored object could not be announced; the message says why. */
  static final class AnnounceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AnnounceException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What a step gives: a {@link Rendered} tile to store, or the task's outcome. */
  sealed interface Step permits Rendered, TileOutcome {}

  /**
   * A made task, for {@link #store}: the object's bytes and type, the results to announce once it is stored, and
   * a report to keep beside it (or null).
   */
  record Rendered(List<? extends TileResult> results, byte[] bytes, String contentType, byte[] report, JobRequest job,
      long startNanos) implements Step {
    Rendered(TileResult.Done result, byte[] bytes, String contentType, byte[] report, JobRequest job,
        long startNanos) {
      this(List.of(result), bytes, contentType, report, job, startNanos);
    }
  }

  /** One try of a step. */
  @FunctionalInterface
  private interface Attempt<S> {
    S run() throws InterruptedException;
  }

  private final WorkerConfig config;
  private final BlobStore blobs;
  private final TileMaker maker;
  private final JobSpecCache jobs;
  private final Blocklist blocklist;
  private final DeliveryPolicy policy;
  private final Announcer announcer;
  private final Runnable retried;

  /**
   * @param blocklist counts this worker's unexpected failures of each job's tiles
   * @param announcer where stored objects' results go
   * @param retried told of each fault retried in place (the worker's retry meter)
   */
  TileJob(WorkerConfig config, BlobStore blobs, Blocklist blocklist, DeliveryPolicy policy, Announcer announcer,
      Runnable retried) {
    this(config, blobs, new TileMaker(blobs::get, blobs::get, config.inputCacheBytes(), config.limits()),
        new JobSpecCache(blobs), blocklist, policy, announcer, retried);
  }

  /**
   * As above, making tiles with {@code maker} and reading jobs through {@code jobs}, which the members of one
   * {@link WorkerProcess} share (both are thread-safe), so that a job is decoded and an input kept once per process.
   */
  TileJob(WorkerConfig config, BlobStore blobs, TileMaker maker, JobSpecCache jobs, Blocklist blocklist,
      DeliveryPolicy policy, Announcer announcer, Runnable retried) {
    this.config = config;
    this.blobs = blobs;
    this.maker = maker;
    this.jobs = jobs;
    this.blocklist = blocklist;
    this.policy = policy;
    this.announcer = announcer;
    this.retried = retried;
  }
  /** How many attempts the task's job asks for its tiles ({@code "maxAttempts"}), 0 for the farm's. */
  int maxAttemptsOf(TileTask task) {
    return jobs.maxAttemptsOf(task);
  }


  /** The renderers this machine can run. */
  List<String> renderers() {
    return maker.renderers();
  }

  /** Why {@code renderer} cannot run here, or null if it can. */
  String unavailable(String renderer) {
    return maker.unavailable(renderer);
  }

  /** Both steps on the calling thread. */
  TileOutcome run(Delivery d, DoubleConsumer progress) {
    return switch (render(d, progress)) {
      case Rendered rendered -> store(d, rendered);
      case TileOutcome outcome -> outcome;
    };
  }

  /**
   * Makes and encodes the task's tile, pack or statistics; {@code progress} is told an external renderer's
   * fraction done.
   */
  Step render(Delivery d, DoubleConsumer progress) {
    return retrying(d, () -> renderOnce(d, progress), outcome -> outcome);
  }

  /** Stores a rendered task's object and announces its results, without making it again on a retry. */
  TileOutcome store(Delivery d, Rendered rendered) {
    return retrying(d, () -> storeOnce(d, rendered), outcome -> outcome);
  }

  /**
   * Runs a step, retrying a storage or broker fault that may pass in place with the policy's backoff; then the
   * fault is the outcome. Any other fault is unexpected (see {@link #unexpected}).
   */
  private <S> S retrying(Delivery d, Attempt<S> attempt, Function<TileOutcome, S> ended) {
    TileTask task = d.task();
    DeliveryPolicy.Backoff backoff = policy.backoff(System.nanoTime());
    try {
      while (true) {
        try {
          return attempt.run();
        } catch (BlobStoreException | UncheckedIOException | AnnounceException e) {
          if (e instanceof BlobStoreException b && !b.transientFault()) {
            return ended.apply(new TileOutcome.FailedPermanently(e.getMessage(), null));
          }
          if (d.abandoned()) {
            return ended.apply(new TileOutcome.Abandoned());
          }
          if (!backoff.retries(System.nanoTime())) {
            return ended.apply(new TileOutcome.Transient(e));
          }
          log.info("{}: {}; retrying in {} ms", task.label(), e.getMessage(), backoff.waitMs());
          retried.run();
          Thread.sleep(backoff.waitMs());
          backoff = backoff.next();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ended.apply(new TileOutcome.Abandoned());
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      return ended.apply(unexpected(d, e));
    }
  }

  /** A tile failed in a way nobody foresaw: counted against its job here (see {@link Blocklist}). */
  private TileOutcome unexpected(Delivery d, Throwable e) {
    if (d.abandoned()) {
      return new TileOutcome.Abandoned();
    }
    log.error("{} failed unexpectedly on attempt {}", d.task().label(), d.attempt(), e);
    if (blocklist.failed(d.task().jobId(), System.currentTimeMillis())) {
      log.warn("blocklisting job {} on this worker for {}: it failed here {} times", d.task().jobId(),
          WorkerConfig.BLOCKLIST_TIME, config.blocklistAfter());
    }
    return new TileOutcome.Transient(e);
  }

  /** The one place a task's kind decides how it is made. */
  private Step renderOnce(Delivery d, DoubleConsumer progress) throws InterruptedException {
    TileTask task = d.task();
    long start = System.nanoTime();
    TileLog tileLog = new TileLog();
    boolean external = false;
    try {
      if (task.work() instanceof TileTask.Work.Video video) {
        // A video task carries no job: its frames are made, and ffmpeg needs only them and the video's settings.
        external = true;
        return video(d, video, tileLog, progress, start);
      }
      JobRequest job = jobs.jobOf(task);
      external = Renderer.lane(job).isPresent();
      return switch (job) {
        // Process jobs may run in passes: a statistics pass stores JSON, the last pass pixels (ChainPlan).
        case JobRequest.Process process -> switch (task.work()) {
          case TileTask.Work.Tile t -> process(task, maker.process(process, task, 0, null, t.inputEtag()), process,
              start);
          case TileTask.Work.PassTile p -> process(task, maker.process(process, task, p.pass(), p.stats(),
              p.inputEtag()), process, start);
          case TileTask.Work.FrameTile f -> throw new TileFailedException(task.label()
              + ": a process job's task has no frame");
          case TileTask.Work.Pack p -> throw new TileFailedException(task.label()
              + ": a process job's tiles are not packed");
          case TileTask.Work.Video v -> throw new IllegalStateException("unreachable: video tasks are made above");
        };
        case JobRequest.Render render -> switch (task.work()) {
          case TileTask.Work.Tile t -> tile(d, render, null, 0, external, tileLog, progress, start);
          case TileTask.Work.FrameTile f -> tile(d, render, f.frame(), f.frameIndex(), external, tileLog, progress,
              start);
          case TileTask.Work.Pack pack -> pack(d, render, pack, start);
          case TileTask.Work.PassTile p -> throw new TileFailedException(task.label()
              + ": a render job's task is of no pass");
          case TileTask.Work.Video v -> throw new IllegalStateException("unreachable: video tasks are made above");
        };
        case JobRequest.Encode video -> throw new TileFailedException(task.label()
            + ": a video job's only task is its video, which carries no job");
      };
    } catch (TileFailedException | InvalidJobException | UndecodableException | BlobNotFoundException e) {
      // Deterministic: every worker would fail the same way, so report it instead of retrying.
      return new TileOutcome.FailedPermanently(e.getMessage(), external ? storeLog(task, tileLog) : null);
    }
  }

  private Rendered process(TileTask task, TileProcessor.Made made, JobRequest.Process job, long start) {
    if (made.image() == null) {
      byte[] stats = made.stats();
      return new Rendered(TileResult.Done.of(task, TileResult.Stored.statistics(stats.length, sha256(stats),
          sinceMs(start), config.workerId())), stats, "application/json", made.report(), job, start);
    }
    byte[] bytes = TileCodec.encode(made.image());
    return new Rendered(TileResult.Done.of(task, pixels(made.image().channels(), bytes, sinceMs(start), null)),
        bytes, "application/x-tilefarm-tile", made.report(), job, start);
  }

  /**
   * A tile of a render job: {@code frame} is the Blender frame to render (null: none), {@code frameIndex} its
   * place.
   */
  private Rendered tile(Delivery d, JobRequest.Render job, Integer frame, int frameIndex, boolean external,
      TileLog tileLog, DoubleConsumer progress, long start) throws TileFailedException, InterruptedException {
    TileTask task = d.task();
    TileImage tile = maker.make(job, task.tile(), task.imageWidth(), task.imageHeight(),
        new RenderContext(frame, frameIndex, task.deadline() == null ? 0 : task.deadline(), tileLog,
            new ProgressThrottle(fraction -> {
              if (!d.abandoned()) {
                progress.accept(fraction);
              }
            })));
    S3Uri logUri = external ? storeLog(task, tileLog) : null;
    byte[] bytes = TileCodec.encode(tile);
    return new Rendered(TileResult.Done.of(task, pixels(tile.channels(), bytes, sinceMs(start), logUri)), bytes,
        "application/x-tilefarm-tile", null, job, start);
  }

  /**
   * Makes every tile of a packed task, each exactly as it would be made alone, into one tile pack; each tile's
   * result names its part. Only built-in renderers' tiles are packed (the splitter's TilePacking).
   */
  private Rendered pack(Delivery d, JobRequest.Render job, TileTask.Work.Pack pack, long start)
      throws InterruptedException, TileFailedException {
    TileTask task = d.task();
    List<byte[]> parts = new ArrayList<>(pack.tiles().size());
    List<TileResult.Done> results = new ArrayList<>(pack.tiles().size());
    for (TileRect rect : pack.tiles()) {
      if (d.abandoned() || Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("abandoned");
      }
      long tileStart = System.nanoTime();
      TileImage tile = maker.make(job, rect, task.imageWidth(), task.imageHeight(),
          new RenderContext(null, 0, task.deadline() == null ? 0 : task.deadline(), new TileLog(), f -> { }));
      byte[] bytes = TileCodec.encode(tile);
      parts.add(bytes);
      results.add(TileResult.Done.ofPart(task, rect, pixels(tile.channels(), bytes, sinceMs(tileStart), null)));
    }
    return new Rendered(results, TilePack.encode(parts), "application/x-tilefarm-pack", null, job, start);
  }

  /**
   * The video of an animation: its frames read from storage at the task's output pattern, in video order, encoded
   * by ffmpeg ({@link TileMaker#encodeVideo}); stored at the task's tileUri and announced ENCODED.
   */
  private Rendered video(Delivery d, TileTask.Work.Video video, TileLog tileLog, DoubleConsumer progress, long start)
      throws TileFailedException, InterruptedException {
    TileTask task = d.task();
    byte[] bytes = maker.encodeVideo(video.video(), video.frames(),
        i -> blobs.get(JobRequest.Frames.outputOf(task.output(), video.frame(i))), task.output().extension(),
        new RenderContext(null, 0, task.deadline() == null ? 0 : task.deadline(), tileLog,
            new ProgressThrottle(fraction -> {
              if (!d.abandoned()) {
                progress.accept(fraction);
              }
            })), task.label() + " (" + video.frames() + " frames)");
    S3Uri logUri = storeLog(task, tileLog);
    TileResult.Encoded encoded = TileResult.Encoded.of(task, bytes.length, sha256(bytes), sinceMs(start),
        config.workerId(), logUri);
    return new Rendered(List.of(encoded), bytes, video.video().contentType(), null, null, start);
  }

  /** What was stored for a tile of pixels: {@code bytes} as encoded, made by this worker. */
  private TileResult.Stored pixels(int channels, byte[] bytes, long renderMs, S3Uri logUri) {
    return TileResult.Stored.pixels(channels, bytes.length, sha256(bytes), renderMs, config.workerId(), logUri);
  }

  private TileOutcome storeOnce(Delivery d, Rendered out) throws InterruptedException {
    TileTask task = d.task();
    try {
      if (d.abandoned()) {
        return new TileOutcome.Abandoned();
      }
      if (task.work() instanceof TileTask.Work.Video) {
        // A job's output, like its images: marked as the job's, so that the API serves it as the job's video.
        blobs.put(task.tileUri(), out.bytes(), out.contentType(),
            java.util.Map.of(dev.tilefarm.store.JobOutputs.JOB_METADATA, task.jobId()));
      } else {
        blobs.put(task.tileUri(), out.bytes(), out.contentType());
      }
      if (out.report() != null) {
        blobs.put(TileKeys.reportPartial(task.tileUri().bucket(), task.jobId(), task.tile().index()), out.report(),
            "application/json");
      }
      if (d.abandoned()) {
        return new TileOutcome.Abandoned();
      }
      announcer.announce(out.results());
      long nanos = System.nanoTime() - out.startNanos();
      log.debug("{} done in {} ms", task.label(), TimeUnit.NANOSECONDS.toMillis(nanos));
      return new TileOutcome.Stored(out.results(), out.job(), nanos);
    } catch (BlobNotFoundException e) {
      return new TileOutcome.FailedPermanently(e.getMessage(), null);
    }
  }

  /**
   * Keeps a tile's renderer log in S3 beside the job's other logs; null if it could not be stored (the tile's
   * fate does not hang on its log).
   */
  private S3Uri storeLog(TileTask task, TileLog tileLog) {
    S3Uri uri = TileKeys.tileLog(task.tileUri().bucket(), task.jobId(), task.tile().index());
    try {
      blobs.put(uri, tileLog.text().getBytes(StandardCharsets.UTF_8), "text/plain");
      return uri;
    } catch (BlobStoreException | UncheckedIOException e) {
      log.warn("{}: could not keep the renderer's log at {}: {}", task.label(), uri, e.getMessage());
      return null;
    }
  }

  private static long sinceMs(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
