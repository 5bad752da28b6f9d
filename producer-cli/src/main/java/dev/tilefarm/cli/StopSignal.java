package dev.tilefarm.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM or Ctrl-C, for a command that runs until then. Once it {@link #listen}s, a shutdown hook tells
 * {@link #await} and then holds the JVM's exit until {@link #close}: opened first in a try-with-resources, it is
 * closed last, so the farm or role opened after it is closed cleanly before the process ends. Before it listens
 * (while a farm starts, say), Ctrl-C ends the process at once.
 */
final class StopSignal implements AutoCloseable {
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook = new Thread(() -> {
    stop.countDown();
    try {
      // Keep the JVM alive until the command has closed what it runs.
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  });
  private boolean listening;

  /** From now on a shutdown waits for {@link #close}. */
  void listen() {
    Runtime.getRuntime().addShutdownHook(hook);
    listening = true;
  }

  /** Blocks until the process is asked to stop. */
  void await() throws InterruptedException {
    stop.await();
  }

  /** Whether the process is asked to stop, waiting up to {@code millis} for it. */
  boolean await(long millis) throws InterruptedException {
    return stop.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Lets the process end; if it is not ending, the hook is removed, having nothing left to wait for. */
  @Override
  public void close() {
    done.countDown();
    if (listening) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook has run or is running, and finds everything closed
      }
    }
  }
}
