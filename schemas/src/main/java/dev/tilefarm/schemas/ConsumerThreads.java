package dev.tilefarm.schemas;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * Stopping a consumer that polls on a thread of its own (the compositor's janitor, a worker's job watch): a
 * {@code KafkaConsumer} may not be touched from another thread, except to {@code wakeup()} its poll.
 */
public final class ConsumerThreads {
  /** How long {@link #stop} waits for the polling thread to end. */
  static final long JOIN_MILLIS = 10_000;

  private ConsumerThreads() {}

  /**
   * Wakes {@code consumer} out of its poll and waits (up to {@value #JOIN_MILLIS} ms) for {@code thread}, its
   * loop, to end; the caller has already told the loop to stop. An interrupt while waiting is kept for the
   * caller.
   */
  public static void stop(Consumer<?, ?> consumer, Thread thread) {
    consumer.wakeup();
    try {
      thread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
