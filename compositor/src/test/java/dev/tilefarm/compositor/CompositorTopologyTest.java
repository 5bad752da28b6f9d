package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.store.TileKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompositorTopologyTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);
  private static final Duration ENDED_RETENTION = Duration.ofDays(1);
  private static final long ACCEPTED_AT = T0.toEpochMilli() - 5_000;
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);

  @TempDir
  Path dir;
  private final Topics topics = new Topics("t.");
  private final TestImages.MemoryStore store = new TestImages.MemoryStore();
  /** The time the topology reads; moved together with the driver's wall clock (see {@link #advance}). */
  private final AtomicLong now = new AtomicLong(T0.toEpochMilli());
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  /** Milliseconds each tile read takes, by the topology's clock: makes the assembly time observable. */
  private final AtomicLong readMs = new AtomicLong();
  private final AtomicBoolean storageDown = new AtomicBoolean();
  private ImageAssembler assembler;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> results;
  private TestInputTopic<byte[], byte[]> rawResults;
  private TestOutputTopic<String, JobEvent> events;
  private TestOutputTopic<String, DeadLetter> dead;

  @BeforeEach
  void setUp() {
    TileSource source = uri -> {
      if (storageDown.get()) {
        throw new BlobStoreException("reading " + uri + ": 503 Slow Down", true, null);
      }
      now.addAndGet(readMs.get());
      return store.read(uri);
    };
    assembler = new ImageAssembler(source, store, dir.resolve("assembly"), 2);
    var props = new java.util.Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compositor-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    driver = new TopologyTestDriver(
        CompositorTopology.build(topics, "farm", assembler, clock, PROGRESS_INTERVAL, ENDED_RETENTION), props, T0);
    results = driver.createInputTopic(topics.tileResults().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    rawResults = driver.createInputTopic(topics.tileResults().name(), Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
    dead = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        topics.deadLetter().valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
    assembler.close();
  }

  private void advance(Duration d) {
    now.addAndGet(d.toMillis());
    driver.advanceWallClockTime(d);
  }

  /**
   * A job whose tiles are stored; {@link #result} makes its tile results (with the sha256 of each stored tile, as
   * a worker gives it), {@link #plan} the splitter's plan.
   */
  private record Job(String id, TileImage image, List<TileRect> rects, S3Uri output, List<String> sha256) {
    TileResult.Done result(int index) {
      return Results.done(Results.task(id, rects.get(index), rects.size(), image.width(), image.height(), output,
          TileKeys.tile("farm", id, index), ACCEPTED_AT), image.channels(), 1000, sha256.get(index), 10 + index,
          "worker-1");
    }

    dev.tilefarm.schemas.JobControl.Planned plan() {
      return new dev.tilefarm.schemas.JobControl.Planned(id, ACCEPTED_AT, rects.size(), image.width(),
          image.height(), output, null);
    }

    long renderMs() {
      return rects.stream().mapToLong(r -> 10 + r.index()).sum();
    }
  }

  private Job job(String id, TileImage image, int tile, S3Uri output) {
    List<TileRect> rects = TestImages.grid(image.width(), image.height(), tile);
    store.putTiles(image, rects, i -> TileKeys.tile("farm", id, i));
    List<String> sha256 = rects.stream().map(r -> TileCheck.sha256(store.tiles.get(TileKeys.tile("farm", id,
        r.index())))).toList();
    return new Job(id, image, rects, output, sha256);
  }

  /** A job whose plan is in, as the splitter sends it before any of its tiles is made. */
  private Job planned(Job job) {
    control(job.plan());
    return job;
  }

  private Job pngJob(String id) {
    return job(id, TestImages.image(70, 50, 3, id.hashCode()), 25, S3Uri.parse("s3://out/" + id + ".png"));
  }

  private void send(TileResult result) {
    results.pipeInput(result.jobId(), RESULTS.encode(result));
  }

  private static List<Integer> shuffled(int n, long seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    return order;
  }

  private static <T> T last(List<T> all) {
    return all.get(all.size() - 1);
  }

  private static <T extends JobEvent> List<T> only(List<JobEvent> all, Class<T> type) {
    return all.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private KeyValueStore<String, JobState> jobStore() {
    return driver.getKeyValueStore(CompositorTopology.STORE);
  }

  @Test
  void resultsInAnyOrderCompleteTheJobOnceWithTheAssembledImage() throws Exception {
    Job job = planned(pngJob("j1"));
    readMs.set(3);
    for (int i : shuffled(job.rects().size(), 1)) {
      send(job.result(i));
    }
    List<JobEvent> all = events.readValuesToList();
    List<JobEvent.Completed> completed = only(all, JobEvent.Completed.class);
    assertEquals(1, completed.size(), all.toString());
    assertInstanceOf(JobEvent.Completed.class, all.get(all.size() - 1));
    JobEvent.Completed c = completed.get(0);

    TestImages.MemoryStore.Stored stored = store.written.get(job.output());
    assertEquals("image/png", stored.contentType());
    assertArrayEquals(job.image().pixels(), TestImages.decode(stored.bytes()).pixels());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored.bytes())), c.sha256());
    assertEquals(stored.bytes().length, c.bytes());
    assertEquals("j1", c.jobId());
    assertEquals(job.output(), c.output());
    assertEquals("PNG", c.format());
    assertEquals(70, c.width());
    assertEquals(50, c.height());
    assertEquals(6, c.tiles());
    // Six tile reads of 3 ms each, by the topology's clock, inside the assembly; six more before it, each
    // result's check of its tile.
    assertEquals(18, c.timings().assemble());
    assertEquals(job.renderMs(), c.timings().render());
    assertEquals(5_000 + 36, c.timings().total());
    assertEquals(T0.toEpochMilli() + 36, c.timestamp());
    assertEquals(new JobEnded(JobEnded.Outcome.COMPLETED, T0.toEpochMilli() + 36), jobStore().get("j1"));
  }

  @Test
  void packedTilesAreAssembledReadingEachPackOnce() throws Exception {
    TileImage image = TestImages.image(70, 50, 3, 99);
    List<TileRect> rects = TestImages.grid(70, 50, 10);
    int packTiles = 4;
    List<String> sha256 = new ArrayList<>();
    for (int first = 0; first < rects.size(); first += packTiles) {
      List<byte[]> parts = new ArrayList<>();
      for (int i = first; i < Math.min(rects.size(), first + packTiles); i++) {
        parts.add(dev.tilefarm.store.TileCodec.encode(TestImages.crop(image, rects.get(i))));
        sha256.add(TileCheck.sha256(parts.get(parts.size() - 1)));
      }
      store.tiles.put(TileKeys.pack("farm", "pk", first), dev.tilefarm.store.TilePack.encode(parts));
    }
    S3Uri output = S3Uri.parse("s3://out/pk.png");
    control(new dev.tilefarm.schemas.JobControl.Planned("pk", ACCEPTED_AT, rects.size(), 70, 50, output, null));
    readMs.set(3);
    for (int i : shuffled(rects.size(), 7)) {
      send(new TileResult.Done("pk", rects.get(i), rects.size(), 70, 50, output,
          TileKeys.pack("farm", "pk", i - i % packTiles), 3, 100, sha256.get(i), 1, "worker-1", ACCEPTED_AT, null,
          null, null, null, i % packTiles, packTiles));
    }
    assertTrue(dead.isEmpty());
    List<JobEvent> all = events.readValuesToList();
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, all.get(all.size() - 1), all.toString());
    assertEquals(35, c.tiles());
    assertArrayEquals(image.pixels(), TestImages.decode(store.written.get(output).bytes()).pixels());
    // 35 tiles in 9 packs: one read (3 ms by the topology's clock) per pack.
    assertEquals(27, c.timings().assemble());
  }

  @Test
  void aPackedTileNamingAnotherPackThanItsIndexSaysIsDeadLettered() {
    TileImage image = TestImages.image(40, 10, 3, 5);
    List<TileRect> rects = TestImages.grid(40, 10, 10);
    byte[] part = dev.tilefarm.store.TileCodec.encode(TestImages.crop(image, rects.get(0)));
    store.tiles.put(TileKeys.pack("farm", "pk2", 0), dev.tilefarm.store.TilePack.encode(List.of(part, part)));
    S3Uri output = S3Uri.parse("s3://out/pk2.png");
    send(new TileResult.Done("pk2", rects.get(2), 4, 40, 10, output, TileKeys.pack("farm", "pk2", 0), 3, 100,
        TileCheck.sha256(part), 1, "worker-1", ACCEPTED_AT, null, null, null, null, 0, 2));
    DeadLetter letter = dead.readValue();
    assertEquals("a forged or stray tile result: tile 2 of job pk2: the result names s3://farm/tiles/pk2/pack-0.tfp, "
        + "but the tile's object is s3://farm/tiles/pk2/pack-2.tfp", letter.error());
    assertTrue(events.isEmpty());
    assertNull(jobStore().get("pk2"), "the result did not count");
  }

  @Test
  void duplicatesBeforeAndAfterCompletionGiveOneCompleted() {
    Job job = planned(pngJob("dup"));
    send(job.result(0));
    send(job.result(0));
    advance(Duration.ofMillis(300));
    send(job.result(0)); // a duplicate is no news: no PROGRESS, even with the interval passed
    assertEquals(List.of(1), events.readValuesToList().stream().map(e -> ((JobEvent.Progress) e).done()).toList());
    for (int i = 1; i < job.rects().size(); i++) {
      send(job.result(i));
      send(job.result(i));
    }
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    send(new TileResult.Failed("dup", job.rects().get(2), 6, "late failure of a retried attempt", "w2", ACCEPTED_AT));
    List<JobEvent> all = events.readValuesToList();
    assertEquals(1, only(all, JobEvent.Completed.class).size(), all.toString());
    assertEquals(0, only(all, JobEvent.Failed.class).size(), all.toString());
    // Tile 1 comes 300 ms after the first PROGRESS, the rest at once after it: held back, then complete.
    assertEquals(List.of(2), only(all, JobEvent.Progress.class).stream().map(JobEvent.Progress::done).toList());
    assertInstanceOf(JobEvent.Completed.class, all.get(all.size() - 1));
  }

  @Test
  void progressIsThrottledPerJobAndNeverSentForTheLastTile() {
    Job job = planned(job("p", TestImages.image(50, 10, 1, 3), 10, S3Uri.parse("s3://out/p.png")));
    assertEquals(5, job.rects().size());
    send(job.result(0));
    assertEquals(new JobEvent.Progress("p", T0.toEpochMilli(), 1, 5), events.readValue());
    advance(Duration.ofMillis(100));
    send(job.result(1));
    assertTrue(events.isEmpty(), "within the interval the count is held back");
    advance(Duration.ofMillis(100));
    assertTrue(events.isEmpty());
    advance(Duration.ofMillis(100));
    // 300 ms after the last PROGRESS: the held-back count goes out without waiting for another tile.
    assertEquals(new JobEvent.Progress("p", T0.toEpochMilli() + 300, 2, 5), events.readValue());
    send(job.result(2));
    send(job.result(3));
    assertTrue(events.isEmpty());
    advance(Duration.ofMillis(260));
    assertEquals(new JobEvent.Progress("p", T0.toEpochMilli() + 560, 4, 5), events.readValue());
    advance(Duration.ofMillis(260));
    assertTrue(events.isEmpty(), "nothing new to report");
    send(job.result(4));
    assertInstanceOf(JobEvent.Completed.class, events.readValue());
    advance(Duration.ofSeconds(2));
    assertTrue(events.isEmpty());
  }

  @Test
  void throttlingIsPerJob() {
    Job a = planned(pngJob("a"));
    Job b = planned(pngJob("b"));
    send(a.result(0));
    send(b.result(0));
    send(a.result(1));
    List<JobEvent.Progress> progress = only(events.readValuesToList(), JobEvent.Progress.class);
    assertEquals(List.of("a", "b"), progress.stream().map(JobEvent::jobId).toList());
  }

  @Test
  void aRetryTakesBackTheTilesItsCancelledRunKeptAndCompletesWithTheRest() {
    Job job = planned(pngJob("again"));
    send(job.result(0));
    send(job.result(2));
    control(new dev.tilefarm.schemas.JobControl.Cancel("again", T0.toEpochMilli(), "stop"));
    var controlsOut = driver.createOutputTopic(topics.jobControl().name(), Serdes.String().deserializer(),
        topics.jobControl().valueSerde().deserializer());
    dev.tilefarm.schemas.JobControl.Ended ended =
        (dev.tilefarm.schemas.JobControl.Ended) controlsOut.readValuesToList().get(0);
    assertEquals("0,2", ended.keptTiles());
    assertInstanceOf(JobEvent.Cancelled.class, last(events.readValuesToList()));
    long second = T0.toEpochMilli() + 1000;
    control(new dev.tilefarm.schemas.JobControl.Planned("again", second, job.rects().size(), 70, 50, job.output(),
        null, 2, "0,2"));
    // A failure of the first run, arriving late, is no failure of the second.
    send(new TileResult.Failed("again", job.rects().get(1), job.rects().size(), "late", "w1", ACCEPTED_AT));
    for (int i = 0; i < job.rects().size(); i++) {
      if (i != 0 && i != 2) {
        send(job.result(i));
      }
    }
    List<JobEvent> all = events.readValuesToList();
    assertEquals(0, only(all, JobEvent.Failed.class).size(), all.toString());
    JobEvent.Completed completed = assertInstanceOf(JobEvent.Completed.class, last(all));
    assertEquals(2, completed.attempt());
    assertArrayEquals(job.image().pixels(), TestImages.decode(store.written.get(job.output()).bytes()).pixels());
    dev.tilefarm.schemas.JobControl.Ended done =
        (dev.tilefarm.schemas.JobControl.Ended) last(controlsOut.readValuesToList());
    assertEquals("COMPLETED", done.outcome());
    assertEquals(null, done.keptTiles(), "nothing is kept any more: the janitor deletes the tiles");
    assertEquals(job.output(), done.output());
    assertEquals(2, done.attempt());
  }

  @Test
  void aFailedTileFailsTheJobOnceNamingTheTile() {
    Job job = planned(pngJob("f"));
    send(job.result(0));
    send(new TileResult.Failed("f", job.rects().get(4), 6, "renderer ran out of memory", "w1", ACCEPTED_AT));
    send(new TileResult.Failed("f", job.rects().get(5), 6, "another failure", "w1", ACCEPTED_AT));
    for (int i = 1; i < 6; i++) {
      send(job.result(i));
    }
    List<JobEvent> all = events.readValuesToList();
    List<JobEvent.Failed> failed = only(all, JobEvent.Failed.class);
    assertEquals(1, failed.size(), all.toString());
    assertEquals("tile 4: renderer ran out of memory", failed.get(0).reason());
    assertEquals(4, failed.get(0).tile());
    assertEquals(0, only(all, JobEvent.Completed.class).size());
    assertTrue(store.written.isEmpty());
    // The workers learn it from the farm's own control topic, not from job events anyone could write.
    List<dev.tilefarm.schemas.JobControl> controls = driver.createOutputTopic(topics.jobControl().name(),
        Serdes.String().deserializer(), topics.jobControl().valueSerde().deserializer()).readValuesToList();
    // Tile 0, done before the failure, is kept for a retry (compositor.retry-retention-ms): the janitor leaves it.
    assertEquals(List.of(new dev.tilefarm.schemas.JobControl.Ended("f", T0.toEpochMilli(), "FAILED", null, null, "0",
        T0.toEpochMilli() + CompositorConfig.DEFAULT_RETRY_RETENTION.toMillis())), controls);
  }

  /** What the digest store holds (checked sha256 of done tiles, failures waiting for their plan). */
  private List<String> digestKeys() {
    List<String> keys = new ArrayList<>();
    try (var all = driver.<String, String>getKeyValueStore(CompositorTopology.DIGEST_STORE).all()) {
      all.forEachRemaining(e -> keys.add(e.key));
    }
    return keys;
  }

  @Test
  void aFailedResultBeforeTheJobIsSubmittedDoesNotEndItsId() {
    // Published for a job id before that job exists, so it cannot know when the job will be accepted.
    send(new TileResult.Failed("pre1", TestImages.grid(70, 50, 25).get(0), 6, "forged", "w1", ACCEPTED_AT - 5000));
    assertTrue(events.isEmpty());
    Job job = planned(pngJob("pre1"));
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    List<JobEvent> all = events.readValuesToList();
    assertEquals(List.of(), only(all, JobEvent.Failed.class));
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, all.get(all.size() - 1));
    assertEquals(job.output(), c.output());
    assertEquals(List.of(), digestKeys());
  }

  @Test
  void aWorkersFailureThatOvertakesThePlanFailsTheJobWhenThePlanComes() {
    Job job = pngJob("race");
    send(job.result(0)); // tiles may overtake the plan too
    assertInstanceOf(JobEvent.Progress.class, events.readValue());
    // Besides the worker's failure, one of another submission (its acceptedAt) and one naming no tile of the job.
    send(new TileResult.Failed("race", job.rects().get(3), 6, "renderer crashed", "w1", ACCEPTED_AT));
    send(new TileResult.Failed("race", job.rects().get(1), 6, "stale", "w1", ACCEPTED_AT - 1));
    send(new TileResult.Failed("race", new TileRect(9, 0, 0, 1, 1), 10, "no such tile", "w1", ACCEPTED_AT));
    assertTrue(events.isEmpty(), "no plan yet: the failures wait for it");
    planned(job);
    List<JobEvent> all = events.readValuesToList();
    assertEquals(1, all.size(), all.toString());
    JobEvent.Failed failed = assertInstanceOf(JobEvent.Failed.class, all.get(0));
    assertEquals("tile 3: renderer crashed", failed.reason());
    assertEquals(3, failed.tile());
    assertInstanceOf(JobEnded.class, jobStore().get("race"));
    // The held failures are gone; the done tile's digest is kept for a retry.
    assertEquals(List.of("race/0"), digestKeys());
  }

  @Test
  void aResultThatDisagreesWithTheFirstFailsTheJobNamingTheTile() {
    Job job = pngJob("c");
    send(job.result(0));
    TileResult.Done odd = job.result(3);
    send(Results.done(Results.task("c", odd.tile(), 6, 70, 50, odd.output(), odd.tileUri(), ACCEPTED_AT), 4, 1,
        odd.sha256(), 1, "w"));
    JobEvent.Failed failed = only(events.readValuesToList(), JobEvent.Failed.class).get(0);
    assertEquals("tile 3: channels 4 conflicts with 3 from the job's first result", failed.reason());
    assertEquals(3, failed.tile());
  }

  @Test
  void aMissingTileObjectFailsTheJobNamingTheTile() {
    Job job = planned(pngJob("m"));
    for (int i = 0; i < 5; i++) {
      send(job.result(i));
    }
    store.tiles.remove(TileKeys.tile("farm", "m", 3)); // after its result was checked
    send(job.result(5));
    JobEvent.Failed failed = only(events.readValuesToList(), JobEvent.Failed.class).get(0);
    assertEquals("tile 3: s3://farm/tiles/m/3.tft does not exist", failed.reason());
    assertEquals(3, failed.tile());
    assertEquals(new JobEnded(JobEnded.Outcome.FAILED, T0.toEpochMilli()), jobStore().get("m"));
  }

  @Test
  void undecodableRecordsGoToTheDeadLetterTopicAndTheNextJobStillCompletes() {
    results.pipeInput("k", "{not json".getBytes(StandardCharsets.UTF_8));
    DeadLetter letter = dead.readValue();
    assertEquals(topics.tileResults().name(), letter.sourceTopic());
    assertEquals(0, letter.offset());
    assertArrayEquals("{not json".getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(letter.valueBase64()));
    assertArrayEquals("k".getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(letter.keyBase64()));
    assertTrue(letter.error().startsWith("not a valid TileResult"), letter.error());
    assertEquals("compositor", letter.role());

    Job job = planned(pngJob("ok"));
    byte[] valid = RESULTS.encode(job.result(0));
    results.pipeInput("other-job", valid);
    assertTrue(dead.readValue().error().contains("keyed by their job id 'ok'"));
    results.pipeInput("ok", (byte[]) null);
    assertEquals("the record has no value", dead.readValue().error());
    rawResults.pipeInput(new byte[] {(byte) 0xff, (byte) 0xfe}, valid);
    DeadLetter badKey = dead.readValue();
    assertEquals("the record's key is not UTF-8", badKey.error());
    assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xfe}, Base64.getDecoder().decode(badKey.keyBase64()));
    results.pipeInput("ok", "{\"status\":\"DONE\",\"jobId\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("not a valid TileResult: it has no tile", dead.readValue().error());
    assertTrue(events.isEmpty());

    for (int i : shuffled(6, 2)) {
      send(job.result(i));
    }
    assertEquals(1, only(events.readValuesToList(), JobEvent.Completed.class).size());
    assertTrue(dead.isEmpty());
  }

  @Test
  void jpegOutput() {
    Job job = planned(job("jp", TestImages.smooth(90, 60, 4), 32, S3Uri.parse("s3://out/photos/jp.jpeg")));
    for (int i : shuffled(job.rects().size(), 3)) {
      send(job.result(i));
    }
    JobEvent.Completed c = only(events.readValuesToList(), JobEvent.Completed.class).get(0);
    assertEquals("JPEG", c.format());
    TestImages.MemoryStore.Stored stored = store.written.get(job.output());
    assertEquals("image/jpeg", stored.contentType());
    assertEquals(stored.bytes().length, c.bytes());
    TileImage decoded = TestImages.decode(stored.bytes());
    assertEquals(3, decoded.channels());
    assertTrue(TestImages.maxDifference(job.image(), decoded, 3) <= 12);
  }

  @Test
  void aStorageOutageAtTheLastTileLeavesEverythingAsItWasForTheRetry() {
    Job job = planned(pngJob("retry"));
    for (int i = 0; i < 5; i++) {
      send(job.result(i));
    }
    events.readValuesToList();
    storageDown.set(true);
    StreamsException e = assertThrows(StreamsException.class, () -> send(job.result(5)));
    // The thread dies with it and is replaced (see StreamsErrorPolicy): the transaction is aborted and
    // the record comes round again. Nothing was published or stored for it meanwhile.
    assertTrue(StreamsErrorPolicy.retriable(e), e.toString());
    assertTrue(events.isEmpty());
    JobProgress kept = assertInstanceOf(JobProgress.class, jobStore().get("retry"));
    assertEquals(5, kept.doneCount);
    assertTrue(store.written.isEmpty());

    storageDown.set(false);
    send(job.result(5));
    List<JobEvent> all = events.readValuesToList();
    assertEquals(1, all.size(), all.toString());
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, all.get(0));
    assertEquals(6, c.tiles());
    assertArrayEquals(job.image().pixels(), TestImages.decode(store.written.get(job.output()).bytes()).pixels());
  }

  @Test
  void theOutputIsThePlansWhateverTheResultsName() {
    Job job = planned(pngJob("inv"));
    S3Uri elsewhere = S3Uri.parse("s3://other-bucket/secret.png");
    for (int i = 0; i < job.rects().size(); i++) {
      TileResult.Done r = job.result(i);
      send(Results.done(Results.task("inv", r.tile(), 6, 70, 50, elsewhere, r.tileUri(), ACCEPTED_AT), 3, 1,
          r.sha256(), 1, "w"));
    }
    JobEvent.Completed c = only(events.readValuesToList(), JobEvent.Completed.class).get(0);
    assertEquals(job.output(), c.output());
    assertEquals(List.of(job.output()), List.copyOf(store.written.keySet()));
    assertArrayEquals(job.image().pixels(), TestImages.decode(store.written.get(job.output()).bytes()).pixels());
  }

  @Test
  void tilesThatOvertakeThePlanWaitForItsOutput() {
    Job job = pngJob("early");
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    assertTrue(only(events.readValuesToList(), JobEvent.Completed.class).isEmpty(), "no output is known yet");
    assertTrue(store.written.isEmpty());
    planned(job);
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, events.readValue());
    assertEquals(job.output(), c.output());
    assertArrayEquals(job.image().pixels(), TestImages.decode(store.written.get(job.output()).bytes()).pixels());
  }

  /** Starts the topology again, on state of its own ({@code name}), with a stall timeout of one minute. */
  private void restartWithStallTimeout(String name) {
    driver.close();
    var props = new java.util.Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compositor-test-" + name);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + name).toString());
    driver = new TopologyTestDriver(CompositorTopology.build(topics, "farm", assembler, clock, PROGRESS_INTERVAL,
        ENDED_RETENTION, Duration.ofMinutes(1), Duration.ofSeconds(1)), props, T0);
    results = driver.createInputTopic(topics.tileResults().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
  }

  @Test
  void tilesWhosePlanNeverComesEndAtTheStallTimeout() {
    restartWithStallTimeout("stall");
    Job job = pngJob("orphan");
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    advance(Duration.ofSeconds(61));
    List<JobEvent.Failed> failed = only(events.readValuesToList(), JobEvent.Failed.class);
    assertEquals(1, failed.size());
    assertTrue(failed.get(0).reason().endsWith("with all 6 tiles in but no plan naming its output"),
        failed.get(0).reason());
    assertTrue(store.written.isEmpty());
  }

  @Test
  void aPausedJobDoesNotStallAndItsStallTimeoutCountsFromTheResume() {
    restartWithStallTimeout("pause");
    Job job = planned(pngJob("held"));
    send(job.result(0));
    advance(Duration.ofSeconds(30));
    control(new dev.tilefarm.schemas.JobControl.Pause("held", now.get()));
    advance(Duration.ofMinutes(10));
    assertTrue(only(events.readValuesToList(), JobEvent.Failed.class).isEmpty(), "paused: it is not stuck");
    control(new dev.tilefarm.schemas.JobControl.Resume("held", now.get()));
    advance(Duration.ofSeconds(59));
    assertTrue(only(events.readValuesToList(), JobEvent.Failed.class).isEmpty(), "the minute counts from the resume");
    advance(Duration.ofSeconds(2));
    List<JobEvent.Failed> failed = only(events.readValuesToList(), JobEvent.Failed.class);
    assertEquals(1, failed.size());
    assertTrue(failed.get(0).reason().startsWith("the job is stuck: no tile finished in the last 61 s"),
        failed.get(0).reason());
  }

  @Test
  void forgedResultsAreDeadLetteredWithTheReasonAndTheJobCompletesFromItsOwnTiles() {
    Job job = planned(pngJob("victim"));
    // The attacker's tile: the same size as tile 2, other pixels, in a bucket of its own and then at the key.
    TileImage evil = TestImages.crop(TestImages.image(70, 50, 3, 666), job.rects().get(2));
    byte[] evilBytes = dev.tilefarm.store.TileCodec.encode(evil);
    S3Uri attackerObject = S3Uri.parse("s3://attacker/tiles/victim/2.tft");
    store.tiles.put(attackerObject, evilBytes);
    TileResult.Done real = job.result(2);
    send(Results.done(Results.task("victim", real.tile(), 6, 70, 50, S3Uri.parse("s3://attacker/out.png"),
        attackerObject, ACCEPTED_AT), 3, evilBytes.length, TileCheck.sha256(evilBytes), 1, "mallory"));
    send(Results.done(Results.task("victim", real.tile(), 6, 70, 50, job.output(), real.tileUri(), ACCEPTED_AT), 3,
        evilBytes.length, TileCheck.sha256(evilBytes), 1, "mallory"));
    List<DeadLetter> letters = dead.readValuesToList();
    assertEquals(List.of("a forged or stray tile result: tile 2 of job victim: the result names " + attackerObject
        + ", but the tile's object is s3://farm/tiles/victim/2.tft",
        "a forged or stray tile result: tile 2 of job victim: the result gives sha256 " + TileCheck.sha256(evilBytes)
        + ", but s3://farm/tiles/victim/2.tft has " + real.sha256()),
        letters.stream().map(DeadLetter::error).toList());
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    JobEvent.Completed c = only(events.readValuesToList(), JobEvent.Completed.class).get(0);
    assertEquals(job.output(), c.output());
    assertArrayEquals(job.image().pixels(), TestImages.decode(store.written.get(job.output()).bytes()).pixels());
  }

  /**
   * A forged result for a tile that is already in (or of a job that has ended) cannot count, but it is still
   * dead-lettered with the reason, as one for a missing tile is: it vanished without a trace. A repeat of the
   * farm's own result, which names the tile's own object, is ignored as before.
   */
  @Test
  void aForgedResultForATileAlreadyInIsDeadLetteredToo() {
    Job job = planned(pngJob("done-victim"));
    send(job.result(0));
    S3Uri attackerObject = S3Uri.parse("s3://attacker/t.tft");
    TileResult.Done real = job.result(0);
    TileResult.Done forged = Results.done(Results.task("done-victim", real.tile(), real.tileCount(), 70, 50,
        S3Uri.parse("s3://attacker/out.png"), attackerObject, ACCEPTED_AT), 3, 10, real.sha256(), 1, "mallory");
    send(forged);
    send(real);
    String reason = "a forged or stray tile result: tile 0 of job done-victim: the result names " + attackerObject
        + ", but the tile's object is s3://farm/tiles/done-victim/0.tft";
    assertEquals(List.of(reason), dead.readValuesToList().stream().map(DeadLetter::error).toList());
    for (int i = 1; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    assertEquals(1, only(events.readValuesToList(), JobEvent.Completed.class).size());
    send(forged);
    send(real);
    assertEquals(List.of(reason), dead.readValuesToList().stream().map(DeadLetter::error).toList(),
        "after the job ended: the forged result is dead-lettered, the repeat is not");
  }

  @Test
  void aJobNeverOverwritesAnOutputAnotherJobWrote() {
    S3Uri shared = S3Uri.parse("s3://out/shared.png");
    Job a = planned(job("A", TestImages.image(30, 20, 3, 1), 10, shared));
    for (int i = 0; i < a.rects().size(); i++) {
      send(a.result(i));
    }
    assertEquals(1, only(events.readValuesToList(), JobEvent.Completed.class).size());
    byte[] written = store.written.get(shared).bytes();
    Job b = planned(job("B", TestImages.image(30, 20, 3, 2), 10, shared));
    for (int i = 0; i < b.rects().size(); i++) {
      send(b.result(i));
    }
    JobEvent.Failed failed = only(events.readValuesToList(), JobEvent.Failed.class).get(0);
    assertEquals("B", failed.jobId());
    assertEquals("assembling the image: output s3://out/shared.png was written by job A, and a job never overwrites "
        + "another job's output", failed.reason());
    assertArrayEquals(written, store.written.get(shared).bytes(), "A's image is intact");
    assertEquals("A", store.written.get(shared).jobId());
  }

  @Test
  void aTileWhoseBytesChangeAfterItsCheckIsNotAssembled() {
    Job job = planned(pngJob("swap"));
    for (int i = 0; i < 5; i++) {
      send(job.result(i));
    }
    TileImage evil = TestImages.crop(TestImages.image(70, 50, 3, 666), job.rects().get(1));
    store.tiles.put(TileKeys.tile("farm", "swap", 1), dev.tilefarm.store.TileCodec.encode(evil));
    send(job.result(5));
    JobEvent.Failed failed = only(events.readValuesToList(), JobEvent.Failed.class).get(0);
    assertEquals(1, failed.tile());
    assertTrue(failed.reason().startsWith("tile 1: s3://farm/tiles/swap/1.tft changed after its result was checked"),
        failed.reason());
    assertTrue(store.written.isEmpty(), "nothing is written");
  }

  @Test
  void endedJobsAreForgottenAfterTheRetention() {
    Job job = planned(job("old", TestImages.image(10, 10, 1, 1), 10, S3Uri.parse("s3://out/old.png")));
    send(job.result(0));
    assertInstanceOf(JobEnded.class, jobStore().get("old"));
    advance(ENDED_RETENTION.minusMinutes(1));
    assertInstanceOf(JobEnded.class, jobStore().get("old"));
    advance(Duration.ofMinutes(2));
    assertNull(jobStore().get("old"));
  }

  // ---- job control: plans, deadlines, cancellation ----

  private static final JsonSerde<dev.tilefarm.schemas.JobControl> CONTROLS =
      new JsonSerde<>(dev.tilefarm.schemas.JobControl.class);

  private void control(dev.tilefarm.schemas.JobControl c) {
    driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput(c.jobId(), CONTROLS.encode(c));
  }

  @Test
  void aCancelEndsTheJobOnceWithCancelledAndItsLaterTilesWriteNothing() {
    Job job = pngJob("c1");
    send(job.result(0));
    send(job.result(1));
    control(new dev.tilefarm.schemas.JobControl.Cancel("c1", T0.toEpochMilli(), "changed my mind"));
    for (int i = 2; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    control(new dev.tilefarm.schemas.JobControl.Cancel("c1", T0.toEpochMilli(), "again"));
    List<JobEvent> all = events.readValuesToList();
    List<JobEvent.Cancelled> cancelled = only(all, JobEvent.Cancelled.class);
    assertEquals(1, cancelled.size(), all.toString());
    assertEquals("changed my mind", cancelled.get(0).reason());
    assertTrue(only(all, JobEvent.Completed.class).isEmpty(), all.toString());
    assertNull(store.written.get(job.output()), "no output is written for a cancelled job");
    assertEquals(JobEnded.Outcome.CANCELLED, ((JobEnded) jobStore().get("c1")).outcome());
  }

  @Test
  void aJobPastItsDeadlineFailsNamingTheTilesItWasMissing() {
    Job job = pngJob("d1");
    control(new dev.tilefarm.schemas.JobControl.Planned("d1", ACCEPTED_AT, 6, 70, 50, job.output(),
        T0.toEpochMilli() + 10_000));
    send(job.result(0));
    send(job.result(3));
    events.readValuesToList();
    advance(Duration.ofSeconds(5));
    assertTrue(only(events.readValuesToList(), JobEvent.Failed.class).isEmpty(), "not before the deadline");
    advance(Duration.ofSeconds(6));
    List<JobEvent.Failed> failed = only(events.readValuesToList(), JobEvent.Failed.class);
    assertEquals(1, failed.size());
    assertEquals("the job's time limit ran out with 4 of 6 tiles missing: tiles 1, 2, 4, 5", failed.get(0).reason());
    send(job.result(1));
    assertTrue(events.readValuesToList().isEmpty(), "a late tile changes nothing");
  }

  @Test
  void aPlannedJobNoneOfWhoseTilesComesFailsAtItsDeadline() {
    control(new dev.tilefarm.schemas.JobControl.Planned("lost", ACCEPTED_AT, 3, 30, 10,
        S3Uri.parse("s3://out/lost.png"), T0.toEpochMilli() + 2_000));
    assertInstanceOf(JobPlanned.class, jobStore().get("lost"));
    advance(Duration.ofSeconds(3));
    List<JobEvent.Failed> failed = only(events.readValuesToList(), JobEvent.Failed.class);
    assertEquals(List.of("the job's time limit ran out with 3 of 3 tiles missing: tiles 0, 1, 2"),
        failed.stream().map(JobEvent.Failed::reason).toList());
  }

  @Test
  void aControlRecordThatIsNotOneIsDeadLettered() {
    driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput("x", "{\"status\":\"BOGUS\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(1, dead.readValuesToList().size());
  }

  /**
   * JSON null on either input, and a PLANNED without its output or size: each is a record that is no message,
   * dead-lettered saying so, not a NullPointerException that the compositor gives up on (with its stack trace on
   * the terminal); the job planned next still completes.
   */
  @Test
  void jsonNullAndAnIncompletePlanAreDeadLetteredAsNoMessage() {
    byte[] nul = "null".getBytes(StandardCharsets.UTF_8);
    results.pipeInput("n", nul);
    var controls = driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    controls.pipeInput("n", nul);
    controls.pipeInput("n", "{\"status\":\"PLANNED\",\"jobId\":\"n\"}".getBytes(StandardCharsets.UTF_8));
    List<String> errors = dead.readValuesToList().stream().map(DeadLetter::error).toList();
    assertEquals(List.of("not a valid TileResult: the value is JSON null, not an object",
        "not a valid JobControl: the value is JSON null, not an object",
        "not a valid JobControl: a PLANNED record needs output, and tiles, width and height of at least 1"), errors);
    assertNull(jobStore().get("n"));

    Job job = planned(pngJob("after-null"));
    for (int i : shuffled(job.rects().size(), 4)) {
      send(job.result(i));
    }
    assertEquals(1, only(events.readValuesToList(), JobEvent.Completed.class).size());
    assertTrue(dead.isEmpty());
  }

  /**
   * A 900 KB record on either input: its letter in base64 (1.2 MB) would be over the producer's 1 MB limit,
   * which failed the compositor for good; its bytes are kept in object storage and the next job completes.
   */
  @Test
  void recordsTooLargeForTheirLetterAreClaimCheckedOnBothInputs() throws Exception {
    driver.close();
    java.util.Map<S3Uri, byte[]> kept = new java.util.HashMap<>();
    var props = new java.util.Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compositor-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state2").toString());
    driver = new TopologyTestDriver(CompositorTopology.build(topics, "farm", assembler, clock, PROGRESS_INTERVAL,
        ENDED_RETENTION, Duration.ZERO, CompositorConfig.DEFAULT_CHECK_INTERVAL, null, null,
        new dev.tilefarm.store.DeadLetters(kept::put, "farm", CompositorTopology.ROLE, 1024 * 1024),
        dev.tilefarm.store.RecordRetries.defaults()), props, T0);
    results = driver.createInputTopic(topics.tileResults().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
    dead = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        topics.deadLetter().valueSerde().deserializer());
    byte[] huge = new byte[900 * 1024];
    new Random(3).nextBytes(huge);
    results.pipeInput("j", huge);
    driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput("j", huge);
    List<DeadLetter> letters = dead.readValuesToList();
    assertEquals(List.of(topics.tileResults().name(), topics.jobControl().name()),
        letters.stream().map(DeadLetter::sourceTopic).toList());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(huge));
    for (DeadLetter letter : letters) {
      assertNull(letter.valueBase64());
      assertEquals(sha, letter.valueStored().sha256());
      assertArrayEquals(huge, kept.get(S3Uri.parse(letter.valueStored().uri())));
      assertTrue(topics.deadLetter().valueSerde().serializer().serialize(null, letter).length < 1024 * 1024);
    }
    Job job = planned(pngJob("after"));
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    assertEquals(1, only(events.readValuesToList(), JobEvent.Completed.class).size());
  }

  /**
   * A FAILED result whose reason is 300 KB would fail its job with that reason: with a reason near 1 MB the
   * FAILED event is over the producer's limit, which under exactly-once aborts the transaction for ever. It is
   * refused at the door, and the job's real tiles still complete it.
   */
  @Test
  void aTileResultLargerThanAnyRealOneIsDeadLetteredAndTheJobCompletes() {
    Job job = planned(pngJob("long-reason"));
    TileResult.Failed forged = new TileResult.Failed("long-reason", job.rects().get(0), job.rects().size(),
        "r".repeat(300_000), "worker-x", ACCEPTED_AT);
    send(forged);
    DeadLetter letter = dead.readValue();
    assertTrue(letter.error().contains("at most " + ResultProcessor.MAX_RECORD_BYTES), letter.error());
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    assertEquals(1, only(events.readValuesToList(), JobEvent.Completed.class).size());
  }

  // ---- in-tile progress of external renderers ----

  private static TileResult.Progress inTile(Job job, int index, double fraction) {
    return new TileResult.Progress(job.id(), job.rects().get(index), job.rects().size(), fraction, "worker-1",
        ACCEPTED_AT);
  }

  private static void assertProgress(long at, int done, double fraction, JobEvent event) {
    JobEvent.Progress p = assertInstanceOf(JobEvent.Progress.class, event);
    assertEquals(T0.toEpochMilli() + at, p.timestamp(), event.toString());
    assertEquals(done, p.done(), event.toString());
    assertEquals(fraction, p.fraction(), 1e-12, event.toString());
  }

  @Test
  void inTileProgressRaisesTheFractionAndADoneTileCountsOnceWhole() {
    Job job = job("it", TestImages.image(50, 10, 1, 3), 10, S3Uri.parse("s3://out/it.png"));
    assertEquals(5, job.rects().size());
    control(new dev.tilefarm.schemas.JobControl.Planned("it", ACCEPTED_AT, 5, 50, 10, job.output(), null));
    List<JobEvent.Progress> seen = new ArrayList<>();

    // Before any tile is done: half of tile 0 is a tenth of the job.
    send(inTile(job, 0, 0.5));
    JobEvent first = events.readValue();
    assertProgress(0, 0, 0.1, first);
    seen.add((JobEvent.Progress) first);
    advance(Duration.ofMillis(100));
    send(inTile(job, 1, 0.5));
    assertTrue(events.isEmpty(), "held back by the throttle like a tile count");
    send(inTile(job, 0, 0.5)); // a repeat is no news, and leaves what was held back to go out
    advance(Duration.ofMillis(200));
    JobEvent flushed = events.readValue();
    assertProgress(300, 0, 0.2, flushed);
    seen.add((JobEvent.Progress) flushed);

    // Tile 0 is done: it counts whole, its in-tile half no longer.
    advance(Duration.ofMillis(300));
    send(job.result(0));
    JobEvent done0 = events.readValue();
    assertProgress(600, 1, (1 + 0.5) / 5, done0);
    seen.add((JobEvent.Progress) done0);

    // A report on a done tile, a lower report and a duplicate DONE are no news, however long after.
    advance(Duration.ofMillis(300));
    send(inTile(job, 0, 0.9));
    send(inTile(job, 1, 0.25));
    send(job.result(0));
    advance(Duration.ofMillis(300));
    assertTrue(events.isEmpty(), events.readValuesToList().toString());

    send(inTile(job, 2, 0.75));
    JobEvent partial = events.readValue();
    assertProgress(1200, 1, (1 + 0.5 + 0.75) / 5, partial);
    seen.add((JobEvent.Progress) partial);
    advance(Duration.ofMillis(300));
    send(job.result(1));
    JobEvent done1 = events.readValue();
    assertProgress(1500, 2, (2 + 0.75) / 5, done1);
    seen.add((JobEvent.Progress) done1);

    advance(Duration.ofMillis(300));
    for (int i = 2; i < 5; i++) {
      send(job.result(i));
    }
    send(inTile(job, 4, 0.5)); // late: the job has ended
    advance(Duration.ofSeconds(1));
    List<JobEvent> rest = events.readValuesToList();
    assertEquals(1, only(rest, JobEvent.Completed.class).size(), rest.toString());
    assertInstanceOf(JobEvent.Completed.class, rest.get(rest.size() - 1), rest.toString());
    seen.addAll(only(rest, JobEvent.Progress.class));
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i).fraction() > seen.get(i - 1).fraction(), "fraction fell: " + seen);
    }
  }

  /** A paused job's task a worker handed back (RETURNED) is the splitter's: no tile done, none failed, no state. */
  @Test
  void aHandedBackTaskSettlesNoTileAndTheJobCompletesFromItsTiles() {
    Job job = pngJob("back");
    TileResult.Returned returned = TileResult.Returned.of(Results.task("back", job.rects().get(2), job.rects().size(),
        job.image().width(), job.image().height(), job.output(), TileKeys.tile("farm", "back", 2), ACCEPTED_AT), "w");
    send(returned);
    assertNull(jobStore().get("back"), "a hand-back before the plan starts no job");
    planned(job);
    send(returned);
    advance(Duration.ofSeconds(1));
    assertInstanceOf(JobPlanned.class, jobStore().get("back"), "nothing counted");
    assertTrue(events.isEmpty(), events.readValuesToList().toString());
    assertTrue(dead.isEmpty(), "a hand-back is no forged result");
    for (int i = 0; i < job.rects().size(); i++) {
      send(job.result(i));
    }
    send(returned);
    List<JobEvent> all = events.readValuesToList();
    assertEquals(1, only(all, JobEvent.Completed.class).size(), all.toString());
    assertEquals(job.rects().size(), only(all, JobEvent.Completed.class).get(0).tiles());
    assertTrue(only(all, JobEvent.Failed.class).isEmpty());
  }

  @Test
  void inTileProgressOfAnEndedUnknownOrMismatchedJobIsIgnored() {
    Job job = job("ig", TestImages.image(50, 10, 1, 3), 10, S3Uri.parse("s3://out/ig.png"));
    send(inTile(job, 0, 0.5));
    assertTrue(events.isEmpty(), "a job the compositor does not know yet");
    assertNull(jobStore().get("ig"));

    control(new dev.tilefarm.schemas.JobControl.Planned("ig", ACCEPTED_AT, 5, 50, 10, job.output(), null));
    send(new TileResult.Progress("ig", job.rects().get(0), 7, 0.5, "w", ACCEPTED_AT));
    assertTrue(events.isEmpty(), "a report whose tile count is not the job's");

    send(inTile(job, 0, 0.5));
    assertProgress(0, 0, 0.1, events.readValue());
    control(new dev.tilefarm.schemas.JobControl.Cancel("ig", T0.toEpochMilli(), "enough"));
    assertInstanceOf(JobEvent.Cancelled.class, events.readValue());
    advance(Duration.ofMillis(300));
    send(inTile(job, 0, 0.8));
    send(inTile(job, 1, 0.8));
    advance(Duration.ofMillis(300));
    assertTrue(events.isEmpty(), events.readValuesToList().toString());
    assertEquals(JobEnded.Outcome.CANCELLED, ((JobEnded) jobStore().get("ig")).outcome());
  }
}
