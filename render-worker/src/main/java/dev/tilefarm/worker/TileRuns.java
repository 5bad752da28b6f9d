package dev.tilefarm.worker;

import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.worker.DeliveryPolicy.Ack;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs held tiles through the {@link TileJob} off the poll threads: made on a render thread, then stored and
 * announced on an I/O thread, so that the render thread takes the next tile meanwhile and never waits on storage
 * or the broker. Each outcome is turned into its acknowledgement on the thread that reached it, carrying out
 * the {@link DeliveryPolicy}'s decision (report FAILED, dead-letter, hand back) on the way. A tile whose job is
 * paused when its render thread is free to start it is handed back instead of made.
 */
final class TileRuns implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TileRuns.class);
  /** Store-and-announce threads per render thread: storing a quick tile takes longer than making it. */
  private static final int IO_THREADS_PER_THREAD = 4;

  private final TileJob job;
  private final DeliveryPolicy policy;
  private final Publisher publisher;
  private final WorkerMetrics metrics;
  private final ExecutorService rendering;
  private final ExecutorService storing;
  private final AtomicLong tilesDone = new AtomicLong();
  /** The state of a task's job now, as the worker knows it. */
  private final Function<TileTask, JobState> states;

  TileRuns(WorkerConfig config, TileJob job, DeliveryPolicy policy, Publisher publisher, WorkerMetrics metrics,
      Function<TileTask, JobState> states) {
    this.states = states;
    this.job = job;
    this.policy = policy;
    this.publisher = publisher;
    this.metrics = metrics;
    this.rendering = Executors.newFixedThreadPool(config.threads(), daemons(config.workerId() + "-render"));
    this.storing = Executors.newFixedThreadPool(config.threads() * IO_THREADS_PER_THREAD,
        daemons(config.workerId() + "-store"));
  }

  /** Starts making {@code t}; its {@link HeldTile#outcome} is set when it is settled. */
  void start(HeldTile t) {
    t.future = rendering.submit(() -> make(t));
  }

  /** Tiles stored and announced since the worker started. */
  long tilesDone() {
    return tilesDone.get();
  }

  private void make(HeldTile t) {
    withMdc(t, () -> {
      if (policy.handsBack(states.apply(t.task), t.task)) {
        finish(t, new TileOutcome.HandedBack()); // taken while its job is paused, or paused while it waited here
        return;
      }
      switch (job.render(t, fraction -> publisher.progress(t.task, fraction))) {
        case TileOutcome outcome -> finish(t, outcome);
        case TileJob.Rendered rendered -> {
          t.rendered = true;
          try {
            storing.execute(() -> withMdc(t, () -> finish(t, job.store(t, rendered))));
          } catch (RejectedExecutionException e) {
            finish(t, new TileOutcome.Abandoned()); // the worker is closing
          }
        }
      }
    });
  }

  private void finish(HeldTile t, TileOutcome outcome) {
    if (outcome instanceof TileOutcome.Stored stored) {
      tilesDone.addAndGet(stored.results().size());
      metrics.tileDone(stored.job(), stored.nanos());
    }
    t.settleWith(carryOut(t, policy.settle(outcome, t.attempt(), job.maxAttemptsOf(t.task))));
  }

  private Ack carryOut(HeldTile t, DeliveryPolicy.Decision decision) {
    return switch (decision) {
      case Ack ack -> ack;
      case DeliveryPolicy.Retry retry -> {
        log.warn("{} attempt {} failed, releasing it for a retry: {}", t.task.label(), retry.attempt(),
            retry.reason());
        metrics.tileRetried();
        yield Ack.RELEASE;
      }
      case DeliveryPolicy.Report report -> policy.reported(publisher.failed(t.task, report.reason(), report.log()));
      case DeliveryPolicy.HandBack handBack -> policy.handedBack(publisher.handBack(t.task));
      case DeliveryPolicy.GiveUp giveUp -> carryOut(t,
          policy.gaveUp(giveUp, publisher.deadLetter(t.record, t.task.label() + ": " + giveUp.reason())));
    };
  }

  /** Log lines about a tile carry its job and tile id. */
  private static void withMdc(HeldTile t, Runnable r) {
    MDC.put("jobId", t.task.jobId());
    MDC.put("tileId", String.valueOf(t.task.tile().index()));
    try {
      r.run();
    } finally {
      MDC.remove("jobId");
      MDC.remove("tileId");
    }
  }

  private static ThreadFactory daemons(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Interrupts the tiles being made or stored. */
  @Override
  public void close() {
    rendering.shutdownNow();
    storing.shutdownNow();
  }
}
