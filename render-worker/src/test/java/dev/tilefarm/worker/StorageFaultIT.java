package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tilefarm.embedded.S3FaultProxy;
import dev.tilefarm.embedded.S3FaultProxy.Fault;
import dev.tilefarm.embedded.S3FaultProxy.Rule;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobStore;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The worker's retries against a misbehaving S3 (the {@link S3FaultProxy} in front of the real S3 server): a tile
 * whose store is refused with 503 for a while is retried in place with a doubling backoff and completes once S3
 * answers again; refused for longer than the in-place retry time, it is released, delivered again, and completes
 * then. Either way it is made once and stored with the bytes its result announces.
 */
class StorageFaultIT {
  @TempDir
  Path dir;
  private final Logger jobLog = (Logger) LoggerFactory.getLogger(TileJob.class);
  private final Logger runsLog = (Logger) LoggerFactory.getLogger(TileRuns.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void listen() {
    logged.start();
    jobLog.addAppender(logged);
    runsLog.addAppender(logged);
  }

  @AfterEach
  void stopListening() {
    jobLog.detachAppender(logged);
    runsLog.detachAppender(logged);
  }

  @Test
  void aStoreRefusedForAWhileIsRetriedInPlaceWithBackoffAndTheTileCompletes() throws Exception {
    try (WorkerStack stack = new WorkerStack(dir);
        S3FaultProxy proxy = S3FaultProxy.start(stack.s3.endpoint(), 0, 7);
        BlobStore viaProxy = BlobStore.connect(stack.s3Settings(proxy.endpoint()))) {
      TileTask task = WorkerStack.mandelbrotTask("refused", 64, "{}");
      proxy.set(refusingTheStoreOf(task));
      try (RenderWorker worker = RenderWorker.start(stack.config("w", Duration.ofSeconds(15), Duration.ofMinutes(2)),
          viaProxy)) {
        stack.publish(task);
        awaitLogged("retrying in", 4, Duration.ofMinutes(2));
        assertTrue(stack.done("refused", Duration.ofMillis(10)).isEmpty(), "done while S3 refused the store");
        long refusals = proxy.injected().getOrDefault("503", 0L);
        proxy.clear();
        TileResult.Done done = stack.awaitDone("refused", Duration.ofMinutes(1));
        assertNotNull(done, "the tile was not done once S3 answered again");

        List<Long> waits = new ArrayList<>();
        for (ILoggingEvent e : messages("retrying in")) {
          waits.add(((Number) e.getArgumentArray()[2]).longValue());
        }
        // 250 ms, then twice as long each time (at most 4 s), as DeliveryPolicy's javadoc promises.
        List<Long> doubling = new ArrayList<>();
        for (long w = 250; doubling.size() < waits.size(); w = Math.min(2 * w, 4_000)) {
          doubling.add(w);
        }
        assertEquals(doubling, waits, "the in-place retries' waits");
        assertTrue(refusals >= 4, "each try was refused: " + proxy.injected());
        assertTrue(messages("releasing it for a retry").isEmpty(), "released although retried in place in time");
        assertMadeOnce(stack, task, done);
        assertEquals(1, worker.tilesDone());
      }
    }
  }

  @Test
  void aStoreRefusedLongerThanTheRetryTimeIsReleasedAndDoneOnTheNextDelivery() throws Exception {
    try (WorkerStack stack = new WorkerStack(dir);
        S3FaultProxy proxy = S3FaultProxy.start(stack.s3.endpoint(), 0, 11);
        BlobStore viaProxy = BlobStore.connect(stack.s3Settings(proxy.endpoint()))) {
      TileTask task = WorkerStack.mandelbrotTask("released", 64, "{}");
      proxy.set(refusingTheStoreOf(task));
      // One second of in-place retries: 250 ms, then 500 ms, and the third wait would end past it.
      try (RenderWorker worker = RenderWorker.start(stack.config("w", Duration.ofSeconds(15), Duration.ofSeconds(1)),
          viaProxy)) {
        stack.publish(task);
        ILoggingEvent released = awaitLogged("releasing it for a retry", 1, Duration.ofMinutes(2)).get(0);
        assertEquals(1, ((Number) released.getArgumentArray()[1]).intValue(), "released on its first delivery");
        proxy.clear();
        TileResult.Done done = stack.awaitDone("released", Duration.ofMinutes(1));
        assertNotNull(done, "the released tile was not done on a later delivery");
        assertTrue(messages("releasing it for a retry").size() < 5, "given up short of max attempts");
        assertMadeOnce(stack, task, done);
        assertEquals(1, worker.tilesDone());
      }
    }
  }

  /** 503 for every PUT of the task's tile object (the worker's only request to S3 for a Mandelbrot tile). */
  private static Rule refusingTheStoreOf(TileTask task) {
    return new Rule(new Fault.Status(503), 1, "PUT", "/" + task.tileUri().bucket() + "/" + task.tileUri().key());
  }

  /** One DONE and no FAILED result for the task, and the stored object is the one the DONE describes. */
  private static void assertMadeOnce(WorkerStack stack, TileTask task, TileResult.Done done) throws Exception {
    List<TileResult> results = stack.results(Duration.ofSeconds(2)).stream()
        .filter(r -> r.jobId().equals(task.jobId())).toList();
    assertEquals(List.of(done), results, "the task's results");
    byte[] stored = stack.blobs.get(task.tileUri());
    assertEquals(done.bytes(), stored.length);
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)), done.sha256());
  }

  private List<ILoggingEvent> messages(String containing) {
    synchronized (logged) {
      return logged.list.stream().filter(e -> e.getMessage().contains(containing)).toList();
    }
  }

  private List<ILoggingEvent> awaitLogged(String containing, int count, Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      List<ILoggingEvent> found = messages(containing);
      if (found.size() >= count) {
        return found;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the worker did not log '" + containing + "' " + count + " times within " + timeout
        + "; it logged " + messages(""));
  }
}
