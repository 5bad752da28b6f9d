package dev.tilefarm.store;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How long a role keeps retrying one record that fails in a way that may pass (object storage or the broker
 * unreachable): until it has failed {@code attempts} times over at least {@code atLeast}. Then the role gives
 * it up (dead-letters it) and moves on, so that no role loops on one record for ever. Records are named by
 * their position ({@code topic-partition@offset}); only the most recent {@value #REMEMBERED} are remembered.
 * Thread-safe.
 */
public final class RecordRetries {
  /** The default: 20 failures over at least 10 minutes, far past any outage the farm rides out on its own. */
  public static final int DEFAULT_ATTEMPTS = 20;
  public static final Duration DEFAULT_TIME = Duration.ofMinutes(10);
  static final int REMEMBERED = 10_000;

  private record Failures(int count, long first) {}

  private final int attempts;
  private final long atLeastMillis;
  private final LongSupplier clock;
  private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
      return size() > REMEMBERED;
    }
  };

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

  /** How many failures of the record at {@code position} are remembered. */
  public synchronized int failures(String position) {
    Failures f = failures.get(position);
    return f == null ? 0 : f.count();
  }
}
