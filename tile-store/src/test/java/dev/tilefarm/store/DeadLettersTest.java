package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private static final int LIMIT = DeadLetters.DEFAULT_MAX_REQUEST_SIZE;
  private final Map<S3Uri, byte[]> stored = new HashMap<>();
  private final DeadLetters letters = new DeadLetters(stored::put, "farm", "tile-splitter", LIMIT);

  @Test
  void aSmallRecordTravelsInline() {
    byte[] value = "not json {".getBytes(StandardCharsets.UTF_8);
    DeadLetter d = letters.letter("tilefarm.jobs", 2, 7, "k".getBytes(StandardCharsets.UTF_8), value, "bad", 1L);
    assertArrayEquals(value, Base64.getDecoder().decode(d.valueBase64()));
    assertEquals("aw==", d.keyBase64());
    assertNull(d.keyStored());
    assertNull(d.valueStored());
    assertTrue(stored.isEmpty());
  }

  /** 900 KB is 1.2 MB in base64: before the claim check the producer refused such a letter. */
  @Test
  void aRecordWhoseLetterWouldNotFitIsKeptInObjectStorage() throws Exception {
    byte[] value = new byte[900 * 1024];
    new Random(1).nextBytes(value);
    byte[] key = "big-1".getBytes(StandardCharsets.UTF_8);
    DeadLetter d = letters.letter("tilefarm.jobs", 1, 4411, key, value, "not valid JSON", 5L);
    assertNull(d.valueBase64());
    assertNull(d.keyBase64());
    assertEquals("s3://farm/dead-letters/tilefarm.jobs/1-4411.value", d.valueStored().uri());
    assertEquals(value.length, d.valueStored().size());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value)), d.valueStored().sha256());
    assertArrayEquals(value, stored.get(S3Uri.parse(d.valueStored().uri())));
    assertArrayEquals(key, stored.get(S3Uri.parse(d.keyStored().uri())));
    assertTrue(new JsonSerde<>(DeadLetter.class).encode(d).length < LIMIT - DeadLetters.MARGIN);
  }

  @Test
  void theLargestLetterThatTravelsInlineStillFitsUnderTheProducersLimit() {
    // Just below and just above the point where base64 no longer fits.
    for (int size = 700_000; size <= 800_000; size += 10_000) {
      DeadLetter d = letters.letter("tilefarm.tile-results", 0, 1, null, new byte[size], "e", 1L);
      assertTrue(new JsonSerde<>(DeadLetter.class).encode(d).length <= LIMIT - DeadLetters.MARGIN, "size " + size);
      assertEquals(d.valueBase64() == null, d.valueStored() != null, "size " + size);
    }
  }

  @Test
  void aLongErrorIsCutAndAHugeKeyIsNoRecordKey() {
    DeadLetter d = letters.letter("t", 0, 0, null, null, "x".repeat(100_000), 1L);
    assertTrue(d.error().length() < 5000, d.error().length() + "");
    assertTrue(d.error().endsWith("(100000 characters)"), d.error());
    assertNull(DeadLetters.recordKey(new byte[2000]));
    assertNull(DeadLetters.recordKey(new byte[] {(byte) 0xff, (byte) 0xfe}));
    assertEquals("job-1", DeadLetters.recordKey("job-1".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void whenStorageFailsTheLetterStillGoesOutSayingWhatWasLost() {
    DeadLetters failing = new DeadLetters((uri, bytes) -> {
      throw new BlobStoreException("S3 is down", true, null);
    }, "farm", "compositor", LIMIT);
    byte[] value = new byte[950_000];
    DeadLetter d = failing.letter("tilefarm.job-control", 3, 9, null, value, "too big", 1L);
    assertNull(d.valueStored().uri());
    assertEquals(950_000, d.valueStored().size());
    assertEquals(64, d.valueStored().sha256().length());
    assertTrue(d.error().contains("could not be kept") && d.error().contains("S3 is down"), d.error());
  }

  @Test
  void theProducersLimitComesFromTheOverrides() {
    assertEquals(LIMIT, DeadLetters.maxRequestSize(Map.of()));
    assertEquals(2_000_000, DeadLetters.maxRequestSize(Map.of("max.request.size", "2000000")));
    assertEquals(3_000_000, DeadLetters.maxRequestSize(Map.of("max.request.size", "2000000",
        "producer.max.request.size", "3000000")));
  }

  @Test
  void aRecordIsGivenUpOnlyAfterItsAttemptsAndItsTime() {
    AtomicLong now = new AtomicLong();
    RecordRetries retries = new RecordRetries(3, Duration.ofSeconds(60), now::get);
    String p = RecordRetries.position("tilefarm.jobs", 0, 5);
    assertFalse(retries.failedAndGiveUp(p));
    assertFalse(retries.failedAndGiveUp(p));
    assertFalse(retries.failedAndGiveUp(p), "three attempts, but not a minute yet");
    now.set(60_000);
    assertTrue(retries.failedAndGiveUp(p));
    assertEquals(0, retries.failures(p), "a record given up is forgotten");
  }
}
