package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.embedded.S3FaultProxy;
import dev.tilefarm.embedded.S3FaultProxy.Fault;
import dev.tilefarm.embedded.S3FaultProxy.Rule;
import dev.tilefarm.schemas.S3Uri;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The farm's S3 client against the real S3 server behind the fault proxy: every fault is seen, none is silent. */
class BlobStoreFaultsIT {
  @TempDir static Path dir;
  static EmbeddedS3 s3;
  S3FaultProxy proxy;
  BlobStore blobs;

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(dir, 0, "ak", "sk", "faults");
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  /** A proxy of its own for each test, with a fixed seed: the test's draws are the same on every run. */
  @BeforeEach
  void connect() throws Exception {
    proxy = S3FaultProxy.start(s3.endpoint(), 0, 42);
    blobs = BlobStore.connect(new S3Settings(proxy.endpoint(), s3.region(), "ak", "sk", true, "faults"));
  }

  @AfterEach
  void disconnect() {
    blobs.close();
    proxy.close();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void withoutFaultsEverythingPassesUntouched() throws Exception {
    S3Uri uri = blobs.uri("plain/a.bin");
    byte[] bytes = random(300_000, 1);
    blobs.put(uri, bytes, "application/octet-stream");
    assertArrayEquals(bytes, blobs.get(uri));
    assertEquals(bytes.length, blobs.size(uri));
    assertEquals(1, blobs.list("faults", "plain/").size());
    try (var in = blobs.open(uri)) {
      assertArrayEquals(bytes, in.readAllBytes());
    }
    blobs.delete(uri);
    assertEquals(-1, blobs.size(uri));
    assertEquals(java.util.Map.of(), proxy.injected());
  }

  @Test
  void errorStatusesAreTransientFaultsAndRetriedPast() {
    S3Uri uri = blobs.uri("status/a.bin");
    byte[] bytes = random(1000, 2);
    blobs.put(uri, bytes, "application/octet-stream");
    for (int code : new int[] {500, 503, 429}) {
      proxy.set(Rule.always(new Fault.Status(code)));
      long before = proxy.injected().getOrDefault(Integer.toString(code), 0L);
      BlobStoreException e = assertThrows(BlobStoreException.class, () -> blobs.get(uri));
      assertTrue(e.transientFault(), e.getMessage());
      assertTrue(e.getMessage().contains(Integer.toString(code)), e.getMessage());
      // The SDK tried more than once before giving up.
      assertTrue(proxy.injected().get(Integer.toString(code)) - before >= 2, proxy.injected().toString());
    }
    // Half the requests fail: the SDK's retries get through, with the right bytes.
    proxy.set(Rule.sometimes(new Fault.Status(503), 0.3));
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(bytes, blobs.get(uri));
    }
    assertTrue(proxy.injected().get("503") >= 3, proxy.injected().toString());
  }

  @Test
  void aTruncatedBodyIsNeverTakenForTheObject() {
    S3Uri uri = blobs.uri("truncated/a.bin");
    byte[] bytes = random(200_000, 3);
    blobs.put(uri, bytes, "application/octet-stream");
    proxy.set(new Rule(new Fault.Truncate(), 1, "GET", null));
    BlobStoreException e = assertThrows(BlobStoreException.class, () -> blobs.get(uri));
    assertTrue(e.transientFault(), e.getMessage());
    assertTrue(proxy.injected().get("truncated") >= 1);
    proxy.set(new Rule(new Fault.Truncate(), 0.5, "GET", null));
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(bytes, blobs.get(uri));
    }
  }

  @Test
  void aCorruptedBodyIsCaughtByItsChecksumNeverReturned() throws Exception {
    S3Uri uri = blobs.uri("corrupted/a.bin");
    byte[] bytes = random(100_000, 4);
    blobs.put(uri, bytes, "application/octet-stream");
    proxy.set(new Rule(new Fault.Corrupt(), 1, "GET", null));
    BlobStoreException e = assertThrows(BlobStoreException.class, () -> blobs.get(uri));
    assertTrue(e.transientFault(), e.getMessage());
    long corrupted = proxy.injected().get("corrupted");
    assertTrue(corrupted >= 1);
    // Streamed reads too: the stream fails at its end rather than hand out the changed bytes as the object.
    assertThrows(Exception.class, () -> {
      try (var in = blobs.open(uri)) {
        in.readAllBytes();
      }
    });
    assertThrows(BlobStoreException.class, () -> blobs.getToFile(uri, dir.resolve("corrupted.bin")));
    // Some reads corrupted: each comes back right or not at all.
    proxy.set(new Rule(new Fault.Corrupt(), 0.5, "GET", null));
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(bytes, blobs.get(uri));
    }
    assertTrue(proxy.injected().get("corrupted") > corrupted + 2, proxy.injected().toString());
  }

  @Test
  void aSlowAnswerIsWaitedForUntilTheClientTimesOut() {
    S3Uri uri = blobs.uri("slow/a.bin");
    byte[] bytes = random(1000, 5);
    blobs.put(uri, bytes, "application/octet-stream");
    proxy.set(Rule.always(new Fault.Slow(java.time.Duration.ofMillis(700))));
    long t0 = System.nanoTime();
    assertArrayEquals(bytes, blobs.get(uri));
    assertTrue(System.nanoTime() - t0 >= 700_000_000L);
    try (BlobStore impatient = BlobStore.connect(blobs.settings(), java.time.Duration.ofMillis(300))) {
      BlobStoreException e = assertThrows(BlobStoreException.class, () -> impatient.get(uri));
      assertTrue(e.transientFault(), e.getMessage());
    }
    assertTrue(proxy.injected().get("slow") >= 2);
  }

  @Test
  void aDownStoreRefusesConnectionsUntilItIsUp() throws Exception {
    S3Uri uri = blobs.uri("down/a.bin");
    byte[] bytes = random(1000, 6);
    blobs.put(uri, bytes, "application/octet-stream");
    proxy.down();
    BlobStoreException e = assertThrows(BlobStoreException.class, () -> blobs.get(uri));
    assertTrue(e.transientFault(), e.getMessage());
    proxy.up();
    assertArrayEquals(bytes, blobs.get(uri));
  }

  /**
   * A server that does not implement DeleteObjects (an S3Proxy not told to ignore the SDK's checksum header answers
   * 501) fails {@link BlobStore#deleteAll} as a fault a retry will not mend, which is the compositor's janitor's cue
   * to delete one object at a time; the objects are still there for that.
   */
  @Test
  void aRefusedDeleteObjectsIsNotTransientAndDeletesNothing() {
    S3Uri uri = blobs.uri("refused/a.bin");
    blobs.put(uri, random(100, 7), "application/octet-stream");
    proxy.set(new Rule(new Fault.Status(501), 1, "POST", "/faults"));
    BlobStoreException e = assertThrows(BlobStoreException.class,
        () -> blobs.deleteAll("faults", java.util.List.of(uri.key())));
    assertTrue(!e.transientFault(), e.getMessage());
    assertEquals(100, blobs.size(uri));
    blobs.delete(uri);
    assertEquals(-1, blobs.size(uri));
  }
}
