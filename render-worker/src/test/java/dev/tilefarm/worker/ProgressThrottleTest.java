package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressThrottleTest {
  @Test
  void aTilesProgressGoesOutAtMostOncePerIntervalAndOnlyWhenItRose() {
    AtomicLong now = new AtomicLong(5_000_000_000L);
    List<Double> published = new ArrayList<>();
    ProgressThrottle throttle = new ProgressThrottle(published::add, now::get);
    throttle.accept(0);
    assertEquals(List.of(), published, "nothing done is nothing to tell");
    throttle.accept(25);
    throttle.accept(50);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
    throttle.accept(60);
    assertEquals(List.of(0.25), published, "within the interval rises are dropped");
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    throttle.accept(60);
    throttle.accept(75);
    assertEquals(List.of(0.25, 0.6), published);
    now.addAndGet(TimeUnit.SECONDS.toNanos(5));
    throttle.accept(60);
    throttle.accept(60);
    assertEquals(List.of(0.25, 0.6), published, "no rise, no report, however long after");
    throttle.accept(100);
    assertEquals(List.of(0.25, 0.6, 1.0), published);
  }
}
