package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.store.TileKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compositor's memory of tiles being made: how it moves, what survives a restart, and that it is let go. */
class InTileProgressTest {
  private static final S3Uri OUTPUT = S3Uri.parse("s3://out/j.png");
  private static final List<TileRect> TILES = TestImages.grid(50, 10, 10);

  @TempDir
  Path dir;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private ImageAssembler assembler;
  private JobAggregator aggregator;

  @BeforeEach
  void setUp() {
    assembler = new ImageAssembler(u -> new byte[0], (u, f, c, j) -> { }, dir, 1);
    aggregator = new JobAggregator(assembler, clock, Duration.ofMillis(250), Duration.ofDays(1));
  }

  @AfterEach
  void tearDown() {
    assembler.close();
  }

  private static TileResult.Progress report(String jobId, int index, double fraction) {
    return new TileResult.Progress(jobId, TILES.get(index), TILES.size(), fraction, "w", 0);
  }

  private static TileResult.Done done(String jobId, int index) {
    return Results.done(Results.task(jobId, TILES.get(index), TILES.size(), 50, 10, OUTPUT, TileKeys.tile("farm",
        jobId, index), 0), 1, 100, "00", 5, "w");
  }

  @Test
  void aTileOnlyMovesForwardAndIsDroppedWhenDone() {
    InTileProgress p = new InTileProgress();
    assertFalse(p.report("j", 0, 0), "nothing done is no news");
    assertEquals(0, p.jobs());
    assertTrue(p.report("j", 0, 0.5));
    assertFalse(p.report("j", 0, 0.5));
    assertFalse(p.report("j", 0, 0.25), "a retry on another worker starts over: the tile keeps its best");
    assertTrue(p.report("j", 1, 0.25));
    assertEquals(0.75, p.sum("j"));
    p.tileDone("j", 0);
    assertEquals(0.25, p.sum("j"));
    p.tileDone("j", 1);
    assertEquals(0, p.jobs(), "a job without tiles in progress takes no room");
    p.report("j", 2, 0.5);
    p.forget("j");
    assertEquals(0, p.sum("j"));
    assertEquals(0, p.jobs());
  }

  /**
   * In-tile progress is in memory only, but the fraction last published is stored with the job: after a
   * restart (a fresh memory, the state as the store gives it back) PROGRESS does not go below it.
   */
  @Test
  void afterARestartTheFractionDoesNotFallBelowTheLastPublished() {
    InTileProgress before = new InTileProgress();
    JobAggregator.Step step = aggregator.accept("j", new JobPlanned(5, 50, 10, OUTPUT, 0, 0), report("j", 0, 0.8),
        before);
    assertEquals(0.16, ((JobEvent.Progress) step.events().get(0)).fraction(), 1e-12);
    JobState planned = step.state();
    step = aggregator.accept("j", planned, report("j", 1, 0.8), before);
    assertTrue(step.progressPending() && step.events().isEmpty(), "the second report comes within the interval");
    now.addAndGet(300);
    step = aggregator.flushProgress("j", planned, before);
    assertEquals(0.32, ((JobEvent.Progress) step.events().get(0)).fraction(), 1e-12);
    JobState stored = JobStateCodec.decode(JobStateCodec.encode(step.state()));

    InTileProgress after = new InTileProgress();
    now.addAndGet(300);
    step = aggregator.accept("j", stored, done("j", 2), after);
    JobEvent.Progress p = (JobEvent.Progress) step.events().get(0);
    assertEquals(1, p.done());
    assertEquals(0.32, p.fraction(), 1e-12, "one tile of five is 0.2, but 0.32 was published");

    stored = JobStateCodec.decode(JobStateCodec.encode(step.state()));
    now.addAndGet(300);
    assertSame(JobAggregator.Step.NOTHING, aggregator.accept("j", stored, report("j", 0, 0.5), after),
        "(1 + 0.5) / 5 is still below what was published");
    step = aggregator.accept("j", stored, report("j", 1, 0.9), after);
    assertEquals((1 + 0.5 + 0.9) / 5, ((JobEvent.Progress) step.events().get(0)).fraction(), 1e-12);
  }

  @Test
  void theProcessorLetsGoOfAJobsTilesWhenTheJobEnds() {
    MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    KeyValueStore<String, JobState> jobs = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(CompositorTopology.STORE), Serdes.String(), new JobStateSerde())
        .withLoggingDisabled().build();
    jobs.init(context.getStateStoreContext(), jobs);
    context.addStateStore(jobs);
    KeyValueStore<String, String> passes = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(CompositorTopology.PASS_STORE), Serdes.String(), Serdes.String())
        .withLoggingDisabled().build();
    passes.init(context.getStateStoreContext(), passes);
    context.addStateStore(passes);
    KeyValueStore<String, String> digests = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(CompositorTopology.DIGEST_STORE), Serdes.String(), Serdes.String())
        .withLoggingDisabled().build();
    digests.init(context.getStateStoreContext(), digests);
    context.addStateStore(digests);
    KeyValueStore<String, byte[]> runs = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(CompositorTopology.RUNS_STORE), Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    runs.init(context.getStateStoreContext(), runs);
    context.addStateStore(runs);
    ResultProcessor processor = new ResultProcessor(aggregator, null, new TileCheck("farm", assembler.tiles()), clock,
        Duration.ofMillis(250), Duration.ofHours(1), Duration.ofSeconds(1), "control",
        new dev.tilefarm.store.DeadLetters((uri, bytes) -> {}, "b", "compositor",
        dev.tilefarm.store.DeadLetters.DEFAULT_MAX_REQUEST_SIZE), dev.tilefarm.store.RecordRetries.defaults(),
        new RetryKeeper(aggregator, clock, CompositorConfig.DEFAULT_RETRY_RETENTION));
    processor.init(context);
    JsonSerde<JobControl> controls = new JsonSerde<>(JobControl.class);
    JsonSerde<TileResult> results = new JsonSerde<>(TileResult.class);

    for (int n = 0; n < 100; n++) {
      String id = "job-" + n;
      byte[] key = id.getBytes(StandardCharsets.UTF_8);
      context.setRecordMetadata("control", 0, n);
      processor.process(new Record<>(key, controls.encode(new JobControl.Planned(id, 0, 5, 50, 10, OUTPUT, null)),
          now.get()));
      context.setRecordMetadata("results", 0, n);
      processor.process(new Record<>(key, results.encode(report(id, 0, 0.5)), now.get()));
      processor.process(new Record<>(key, results.encode(report(id, 3, 0.5)), now.get()));
      assertEquals(1, processor.jobsWithTilesInProgress());
      // Half of the jobs are cancelled, the other half fail on a tile.
      if (n % 2 == 0) {
        context.setRecordMetadata("control", 0, n);
        processor.process(new Record<>(key, controls.encode(new JobControl.Cancel(id, 0, null)), now.get()));
      } else {
        processor.process(new Record<>(key, results.encode(new TileResult.Failed(id, TILES.get(1), 5, "bad", "w", 0)),
            now.get()));
      }
      assertInstanceOf(JobEnded.class, jobs.get(id));
      assertEquals(0, processor.jobsWithTilesInProgress(), "job " + id + " ended but its tiles are remembered");
    }
  }
}
