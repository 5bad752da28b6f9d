package dev.tilefarm.clients;

import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;

/** Stopping a thread of its own that polls a consumer, as the roles' background readers do. */
public final class ConsumerThreads {
  private ConsumerThreads() {}

  /**
   * Wakes {@code consumer} out of its poll and waits up to {@code wait} for {@code thread} to end. The thread's
   * loop must already have been told to stop (its running flag cleared) and must close the consumer itself, since
   * a consumer is not to be used by two threads. An interrupt while waiting is kept for the caller.
   */
  public static void stop(Consumer<?, ?> consumer, Thread thread, Duration wait) {
    consumer.wakeup();
    try {
      thread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
