package dev.tilefarm.worker;

import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Passes a tile's progress on to be published, at most once per {@link #INTERVAL_MS} and only when it rose: an
 * external renderer prints its progress several times a second, and each report published is a record on the
 * tile results topic. A rise that comes within the interval is dropped; the next rise after it carries it. One
 * per tile, told (as a {@link dev.tilefarm.worker.render.RenderContext} progress) on the thread that reads the
 * renderer's output.
 */
final class ProgressThrottle implements IntConsumer {
  static final long INTERVAL_MS = 1000;
  private final DoubleConsumer publish;
  private final LongSupplier nanoTime;
  private int published;
  private long publishedAt;

  /** @param publish told the tile's fraction done (0 to 1) */
  ProgressThrottle(DoubleConsumer publish) {
    this(publish, System::nanoTime);
  }

  ProgressThrottle(DoubleConsumer publish, LongSupplier nanoTime) {
    this.publish = publish;
    this.nanoTime = nanoTime;
  }

  /** @param percent the tile's percentage done */
  @Override
  public synchronized void accept(int percent) {
    long now = nanoTime.getAsLong();
    if (percent <= published
        || (published > 0 && now - publishedAt < TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS))) {
      return;
    }
    published = percent;
    publishedAt = now;
    publish.accept(Math.min(100, percent) / 100.0);
  }
}
