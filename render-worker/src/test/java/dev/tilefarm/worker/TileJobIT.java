package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.TopicLayout;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.S3Settings;
import dev.tilefarm.store.TileKeys;
import dev.tilefarm.store.TilePack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tile job without a broker: a task goes in, its outcome comes out, against the real S3 server. Results go
 * to an announcer that keeps them (the port the worker's Kafka edge implements).
 */
class TileJobIT {
  private static final String BUCKET = "tiles";
  @TempDir
  static Path dir;
  private static EmbeddedS3 s3;
  private static BlobStore blobs;

  private final List<List<? extends TileResult>> announced = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(dir, 0, "access", "secret-key", BUCKET);
    blobs = BlobStore.connect(new S3Settings(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), true,
        BUCKET));
  }

  @AfterAll
  static void stop() {
    blobs.close();
    s3.close();
  }

  /** A tile job of worker "w"; no broker: the tile job never reaches one. */
  private TileJob job(Duration transientRetry, TileJob.Announcer announcer) {
    WorkerConfig config = new WorkerConfig("localhost:1", new Topics(Topics.DEFAULT_PREFIX), TopicLayout.DEFAULTS, "w",
        1, 5, 0, Map.of(), Duration.ofSeconds(30), Duration.ofSeconds(30), transientRetry, 3);
    return new TileJob(config, blobs, new Blocklist(3, Duration.ofMinutes(10)), new DeliveryPolicy(config), announcer,
        () -> { });
  }

  private TileJob job() {
    return job(Duration.ofMinutes(2), announced::add);
  }

  private record Delivery(TileTask task, boolean abandoned) implements TileJob.Delivery {
    @Override
    public int attempt() {
      return 1;
    }
  }

  private static TileOutcome.Stored stored(TileOutcome outcome) {
    return assertInstanceOf(TileOutcome.Stored.class, outcome);
  }

  @Test
  void aTileIsStoredAndItsResultAnnouncedOnce() throws Exception {
    TileTask task = WorkerStack.mandelbrotTask("one", 32, "{}");
    TileOutcome.Stored stored = stored(job().run(new Delivery(task, false), f -> { }));
    assertEquals(List.of(stored.results()), announced);
    TileResult.Done done = (TileResult.Done) stored.results().get(0);
    byte[] object = blobs.get(task.tileUri());
    assertEquals(task.tile(), done.tile());
    assertEquals("w", done.worker());
    assertEquals(3, done.channels());
    assertEquals(object.length, done.bytes());
    assertEquals(sha256(object), done.sha256());
    assertNull(done.part());
  }

  @Test
  void aPackIsStoredAsOneObjectWhosePartsAreTheTilesMadeAlone() throws Exception {
    String scene = "{\"center\":[-0.75,0.1],\"zoom\":4,\"iterations\":300}";
    TileTask single = WorkerStack.mandelbrotTask("packed", 16, scene);
    List<TileRect> rects = List.of(new TileRect(0, 0, 0, 16, 8), new TileRect(1, 0, 8, 16, 8));
    TileTask pack = new TileTask("packed", 2, 16, 16, single.output(), TileKeys.pack(BUCKET, "packed", 0),
        single.acceptedAt(), single.job(), null, null, new TileTask.Work.Pack(rects, 2));
    TileOutcome.Stored stored = stored(job().run(new Delivery(pack, false), f -> { }));
    byte[] object = blobs.get(pack.tileUri());
    assertEquals(2, TilePack.count(object));
    for (int i = 0; i < 2; i++) {
      TileResult.Done done = (TileResult.Done) stored.results().get(i);
      assertEquals(rects.get(i), done.tile());
      assertEquals(i, done.part());
      assertEquals(2, done.packTiles());
      assertEquals(sha256(TilePack.part(object, i)), done.sha256());
      TileTask alone = new TileTask("packed", 2, 16, 16, single.output(),
          TileKeys.tile(BUCKET, "alone", i), single.acceptedAt(), single.job(), null, null,
          new TileTask.Work.Tile(rects.get(i), null));
      stored(job().run(new Delivery(alone, false), f -> { }));
      assertArrayEquals(blobs.get(alone.tileUri()), TilePack.part(object, i), "part " + i + " differs from the tile");
    }
  }

  @Test
  void aMissingInputFailsPermanentlyNamingItAndStoresNothing() {
    String json = "{\"id\":\"lost\",\"type\":\"process\",\"input\":\"s3://tiles/in/missing.png\","
        + "\"output\":\"s3://tiles/out/lost.png\",\"ops\":[{\"op\":\"grayscale\"}]}";
    TileTask task = new TileTask("lost", 1, 8, 8, S3Uri.parse("s3://tiles/out/lost.png"),
        TileKeys.tile(BUCKET, "lost", 0), 0, JobCodec.parse(json.getBytes(StandardCharsets.UTF_8)), null, null,
        new TileTask.Work.Tile(new TileRect(0, 0, 0, 8, 8), null));
    var failed = assertInstanceOf(TileOutcome.FailedPermanently.class,
        job().run(new Delivery(task, false), f -> { }));
    assertTrue(failed.reason().contains("s3://tiles/in/missing.png"), failed.reason());
    assertTrue(announced.isEmpty());
    assertThrowsNotFound(task.tileUri());
  }

  @Test
  void anAnnouncementRefusedForAWhileIsRetriedInPlace() {
    AtomicInteger tries = new AtomicInteger();
    TileJob job = job(Duration.ofMinutes(1), results -> {
      if (tries.incrementAndGet() <= 2) {
        throw new TileJob.AnnounceException("the broker is away", null);
      }
      announced.add(results);
    });
    TileTask task = WorkerStack.mandelbrotTask("late", 16, "{}");
    TileOutcome.Stored stored = stored(job.run(new Delivery(task, false), f -> { }));
    assertEquals(3, tries.get());
    assertEquals(List.of(stored.results()), announced);
  }

  @Test
  void anAnnouncementRefusedPastTheRetryTimeIsTransient() {
    AtomicInteger tries = new AtomicInteger();
    // Tries after 0, 250, 750 and 1750 ms, plus the time the tries themselves take (how many fit in the 3 s
    // depends on that; DeliveryPolicyTest counts them exactly); the fifth would start at 3750 ms.
    TileJob job = job(Duration.ofSeconds(3), results -> {
      tries.incrementAndGet();
      throw new TileJob.AnnounceException("the broker is away", null);
    });
    long start = System.nanoTime();
    var fault = assertInstanceOf(TileOutcome.Transient.class,
        job.run(new Delivery(WorkerStack.mandelbrotTask("away", 16, "{}"), false), f -> { }));
    long took = System.nanoTime() - start;
    assertEquals("the broker is away", fault.reason());
    assertTrue(tries.get() >= 2 && tries.get() <= 4, "tries: " + tries.get());
    assertTrue(took >= Duration.ofMillis(250).toNanos() && took < Duration.ofSeconds(10).toNanos(),
        "gave up after " + Duration.ofNanos(took).toMillis() + " ms");
  }

  @Test
  void anAbandonedTileIsNeitherStoredNorAnnounced() {
    TileTask task = WorkerStack.mandelbrotTask("dropped", 16, "{}");
    assertInstanceOf(TileOutcome.Abandoned.class, job().run(new Delivery(task, true), f -> { }));
    assertTrue(announced.isEmpty());
    assertThrowsNotFound(task.tileUri());
  }

  private static void assertThrowsNotFound(S3Uri uri) {
    assertThrows(BlobNotFoundException.class, () -> blobs.get(uri), uri + " was stored");
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
