package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;

class RecordRetriesTest {
  private static final String AT = RecordRetries.position("tilefarm.jobs", 1, 9);
  private final AtomicLong now = new AtomicLong();
  private final RecordRetries retries = new RecordRetries(2, Duration.ofSeconds(10), now::get);
  private final List<RuntimeException> givenUp = new ArrayList<>();

  private void handle(RuntimeException failure) {
    retries.handle(() -> AT, () -> {
      throw failure;
    }, e -> e instanceof UncheckedIOException, givenUp::add);
  }

  @Test
  void aFailureThatMayPassIsThrownToBeTriedAgainUntilItIsGivenUp() {
    var storageDown = new UncheckedIOException(new java.io.IOException("S3 is down"));
    assertSame(storageDown, assertThrows(UncheckedIOException.class, () -> handle(storageDown)));
    assertSame(storageDown, assertThrows(UncheckedIOException.class, () -> handle(storageDown)),
        "two attempts, but not ten seconds yet");
    now.set(10_000);
    handle(storageDown);
    assertEquals(List.of(storageDown), givenUp);
    assertEquals(0, retries.failures(AT));
  }

  @Test
  void anyOtherFailureIsGivenUpAtOnce() {
    var bug = new IllegalStateException("no such tile");
    handle(bug);
    assertEquals(List.of(bug), givenUp);
  }

  @Test
  void kafkasOwnFailuresAreTheClientsBusiness() {
    var fenced = new ProducerFencedException("another instance took over");
    assertSame(fenced, assertThrows(ProducerFencedException.class, () -> handle(fenced)));
    assertTrue(givenUp.isEmpty());
    assertEquals(0, retries.failures(AT));
  }

  @Test
  void aRecordHandledWithoutFailureIsNotLookedUp() {
    List<String> ran = new ArrayList<>();
    retries.handle(() -> {
      throw new AssertionError("the position is wanted only on failure");
    }, () -> ran.add("handled"), e -> true, givenUp::add);
    assertEquals(List.of("handled"), ran);
    assertTrue(givenUp.isEmpty());
  }
}
