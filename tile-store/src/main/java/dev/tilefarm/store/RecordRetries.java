package dev.tilefarm.store;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a role keeps retrying one record that fails in a way that may pass (object storage or the broker
 * unreachable): until it has failed {@code attempts} times over at least {@code atLeast}. Then the role gives
 * it up (dead-letters it) and moves on, so that no role loops on one record for ever. Records are named by
 * their position ({@code topic-partition@offset}); only the most recent {@value #REMEMBERED} are remembered.
 * Thread-safe.
 */
public final class RecordRetries {
  private static final Logger log = LoggerFactory.getLogger(RecordRetries.class);
  /** The default: 20 failures over at least 10 minutes, far past any outage the farm rides out on its own. */
  public static final int DEFAULT_ATTEMPTS = 20;
  public static final Duration DEFAULT_TIME = Duration.ofMinutes(10);
  static final int REMEMBERED = 10_000;

  private record Failures(int count, long first) {}

  private final int attempts;
  private final long atLeastMillis;
  private final LongSupplier clock;
  private final Map<String, Failures> failures = new BoundedMap<>(REMEMBERED, true);

  public RecordRetries(int attempts, Duration atLeast, LongSupplier clock) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
    this.attempts = attempts;
    this.atLeastMillis = atLeast.toMillis();
    this.clock = clock;
  }

  public static RecordRetries defaults() {
    return new RecordRetries(DEFAULT_ATTEMPTS, DEFAULT_TIME, System::currentTimeMillis);
  }

  /** The position of a record, as this class names it. */
  public static String position(String topic, int partition, long offset) {
    return topic + "-" + partition + "@" + offset;
  }

  /** Notes one more failure of the record at {@code position}; true when it is time to give it up. */
  public synchronized boolean failedAndGiveUp(String position) {
    long now = clock.getAsLong();
    Failures f = failures.get(position);
    f = f == null ? new Failures(1, now) : new Failures(f.count() + 1, f.first());
    if (f.count() >= attempts && now - f.first() >= atLeastMillis) {
      failures.remove(position);
      return true;
    }
    failures.put(position, f);
    return false;
  }

  /**
   * Handles one record so that whatever it holds, the role moves past it: {@code work} runs; a failure that
   * {@code mayPass} is thrown, so that the record is tried again, until it has failed for long enough; any other
   * failure, and one given up, goes to {@code giveUp} (which dead-letters the record). Kafka's own exceptions (a
   * fenced producer, a migrated task) are thrown: they are the client's business.
   *
   * @param position the record's position (see {@link #position}), asked for only when {@code work} fails
   */
  public void handle(Supplier<String> position, Runnable work, Predicate<RuntimeException> mayPass,
      Consumer<RuntimeException> giveUp) {
    try {
      work.run();
    } catch (KafkaException e) {
      throw e;
    } catch (RuntimeException e) {
      String at = position.get();
      if (mayPass.test(e) && !failedAndGiveUp(at)) {
        throw e;
      }
      log.error("giving up the record at {}", at, e);
      giveUp.accept(e);
    }
  }

  /** How many failures of the record at {@code position} are remembered. */
  public synchronized int failures(String position) {
    Failures f = failures.get(position);
    return f == null ? 0 : f.count();
  }
}
