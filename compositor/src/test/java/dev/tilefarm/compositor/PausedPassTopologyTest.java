package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.TileKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pausing a process job with statistics passes: the compositor publishes a later pass's tasks itself, so a pass
 * that completes while the job is paused holds the next pass back, in its changelogged pass state, until the
 * RESUME; a cancel while paused means the held pass never starts.
 */
class PausedPassTopologyTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final long ACCEPTED_AT = T0.toEpochMilli() - 5_000;
  private static final String JOB = "j";
  private static final S3Uri OUTPUT = S3Uri.parse("s3://out/j.png");
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);
  private static final JsonSerde<JobControl> CONTROLS = new JsonSerde<>(JobControl.class);

  @TempDir
  Path dir;
  private final Topics topics = new Topics("t.");
  private final TestImages.MemoryStore store = new TestImages.MemoryStore();
  private final AtomicLong now = new AtomicLong(T0.toEpochMilli());
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final Blobs blobs = new Blobs() {
    @Override
    public byte[] get(S3Uri uri) {
      byte[] b = store.tiles.get(uri);
      if (b == null) {
        throw new BlobNotFoundException(uri, null);
      }
      return b;
    }

    @Override
    public void put(S3Uri uri, byte[] bytes, String contentType) {
      store.tiles.put(uri, bytes);
    }

    @Override
    public boolean exists(S3Uri uri) {
      return store.tiles.containsKey(uri);
    }
  };
  private ImageAssembler assembler;
  private TopologyTestDriver driver;

  @BeforeEach
  void setUp() {
    assembler = new ImageAssembler(store, store, dir.resolve("assembly"), 2);
    driver = driver("first");
    // A 20x10 image in 10-pixel tiles, equalized then thresholded: pass 0 and pass 1 gather statistics, pass 2
    // makes the output; each has two tiles.
    store.tiles.put(TileKeys.jobSpec("farm", JOB), ("{'id':'j','type':'process','input':'s3://in-bucket/a.png',"
        + "'tileSize':10,'ops':[{'op':'equalize-hist'},{'op':'otsu-threshold'}]}").replace('\'', '"')
        .getBytes(StandardCharsets.UTF_8));
    control(new JobControl.Planned(JOB, ACCEPTED_AT, 2, 20, 10, OUTPUT, null));
  }

  @AfterEach
  void tearDown() {
    driver.close();
    assembler.close();
  }

  private TopologyTestDriver driver(String name) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compositor-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + name).toString());
    return new TopologyTestDriver(CompositorTopology.build(topics, "farm", assembler, clock, Duration.ofMillis(500),
        Duration.ofHours(1), Duration.ZERO, CompositorConfig.DEFAULT_CHECK_INTERVAL, new PassCoordinator(blobs,
            "farm"), null), props, T0);
  }

  private void control(JobControl c) {
    now.addAndGet(10);
    driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput(c.jobId(), CONTROLS.encode(c));
  }

  /** Stores the partial statistics of tile {@code index} of pass {@code pass} and sends its result, as a worker. */
  private void statsTile(int pass, int index) throws Exception {
    statsTile(pass, index, ACCEPTED_AT);
  }

  /** As {@link #statsTile(int, int)}, for the run accepted at {@code acceptedAt}. */
  private void statsTile(int pass, int index, long acceptedAt) throws Exception {
    int[] hist = new int[256];
    hist[index == 0 ? 10 + pass : 200] = 100;
    byte[] stats = ("{\"inputWidth\":20,\"inputHeight\":10,\"hist\":[" + Json.MAPPER.writeValueAsString(hist) + "]}")
        .getBytes(StandardCharsets.UTF_8);
    S3Uri uri = TileKeys.stats("farm", JOB, pass, index);
    store.tiles.put(uri, stats);
    TileTask task = new TileTask(JOB, 2, 20, 10, OUTPUT, uri, acceptedAt, null, TileKeys.jobSpec("farm", JOB), null,
        new TileTask.Work.PassTile(new TileRect(index, index * 10, 0, 10, 10), pass,
            pass == 0 ? null : TileKeys.mergedStats("farm", JOB, pass - 1), null));
    TileResult result = TileResult.Done.of(task, TileResult.Stored.statistics(stats.length, TileCheck.sha256(stats),
        1, "w"));
    driver.createInputTopic(topics.tileResults().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer()).pipeInput(JOB, RESULTS.encode(result));
  }

  private List<TileTask> tasks() {
    return driver.createOutputTopic(topics.tileTasks().name(), Serdes.String().deserializer(),
        topics.tileTasks().valueSerde().deserializer()).readValuesToList();
  }

  private static List<Integer> passesOf(List<TileTask> tasks) {
    return tasks.stream().map(t -> ((TileTask.Work.PassTile) t.work()).pass()).toList();
  }

  @Test
  void aPassCompletedUnpausedStartsTheNextAtOnce() throws Exception {
    statsTile(0, 0);
    statsTile(0, 1);
    List<TileTask> sent = tasks();
    assertEquals(List.of(1, 1), passesOf(sent));
    assertEquals(List.of(TileKeys.stats("farm", JOB, 1, 0), TileKeys.stats("farm", JOB, 1, 1)),
        sent.stream().map(TileTask::tileUri).toList());
  }

  @Test
  void aPassCompletedWhilePausedWaitsForTheResumeAndStartsOnce() throws Exception {
    statsTile(0, 0);
    control(new JobControl.Pause(JOB, now.get()));
    statsTile(0, 1);
    assertTrue(tasks().isEmpty(), "paused: pass 1 is held");
    assertTrue(store.tiles.containsKey(TileKeys.mergedStats("farm", JOB, 0)), "pass 0 is merged all the same");
    statsTile(0, 1); // a duplicate of the last tile while held starts nothing either
    assertTrue(tasks().isEmpty());

    control(new JobControl.Resume(JOB, now.get()));
    List<TileTask> sent = tasks();
    assertEquals(List.of(1, 1), passesOf(sent));
    assertEquals(TileKeys.mergedStats("farm", JOB, 0), ((TileTask.Work.PassTile) sent.get(0).work()).stats());
    assertEquals(OUTPUT, sent.get(0).output());
    assertEquals(ACCEPTED_AT, sent.get(0).acceptedAt());
    control(new JobControl.Resume(JOB, now.get()));
    assertTrue(tasks().isEmpty(), "a second RESUME starts nothing again");

    // The held pass goes on as any other: its last tile starts the output pass.
    statsTile(1, 0);
    statsTile(1, 1);
    List<TileTask> output = tasks();
    assertEquals(List.of(2, 2), passesOf(output));
    assertEquals(TileKeys.tile("farm", JOB, 0), output.get(0).tileUri());
  }

  /** A fail-over: the new instance's stores hold what the first one's did, as a restore from their changelogs gives. */
  @Test
  void aHeldPassSurvivesARestartFromTheChangelogs() throws Exception {
    control(new JobControl.Pause(JOB, now.get()));
    statsTile(0, 0);
    statsTile(0, 1);
    assertTrue(tasks().isEmpty());
    List<String> stores = List.of(CompositorTopology.STORE, CompositorTopology.DIGEST_STORE,
        CompositorTopology.RUNS_STORE, CompositorTopology.PASS_STORE);
    List<List<KeyValue<String, Object>>> contents = new ArrayList<>();
    for (String name : stores) {
      List<KeyValue<String, Object>> entries = new ArrayList<>();
      KeyValueStore<String, Object> kv = driver.getKeyValueStore(name);
      try (KeyValueIterator<String, Object> all = kv.all()) {
        all.forEachRemaining(entries::add);
      }
      contents.add(entries);
    }
    assertTrue(contents.get(3).stream().anyMatch(e -> e.key.equals(JOB) && e.value.toString().contains("held")),
        "the held pass is in the pass store: " + contents.get(3));
    driver.close();

    driver = driver("second");
    for (int i = 0; i < stores.size(); i++) {
      KeyValueStore<String, Object> kv = driver.getKeyValueStore(stores.get(i));
      contents.get(i).forEach(e -> kv.put(e.key, e.value));
    }
    control(new JobControl.Resume(JOB, now.get()));
    assertEquals(List.of(1, 1), passesOf(tasks()));
  }

  @Test
  void aCancelWhilePausedDropsTheHeldPass() throws Exception {
    control(new JobControl.Pause(JOB, now.get()));
    statsTile(0, 0);
    statsTile(0, 1);
    control(new JobControl.Cancel(JOB, now.get(), "changed my mind"));
    control(new JobControl.Resume(JOB, now.get()));
    assertTrue(tasks().isEmpty(), "a cancelled job's held pass never starts");
    List<JobEvent> events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer()).readValuesToList();
    assertTrue(events.stream().anyMatch(e -> e instanceof JobEvent.Cancelled), events.toString());
    assertNull(driver.getKeyValueStore(CompositorTopology.PASS_STORE).get(JOB),
        "an ended job's pass state is not kept");
  }

  @Test
  void aJobCancelledInItsSecondPassLeavesNoPassState() throws Exception {
    statsTile(0, 0);
    statsTile(0, 1);
    assertEquals(List.of(1, 1), passesOf(tasks()), "pass 1 under way");
    assertNotNull(driver.getKeyValueStore(CompositorTopology.PASS_STORE).get(JOB), "pass 1's state is kept");
    control(new JobControl.Cancel(JOB, now.get(), "wrong input"));
    assertNull(driver.getKeyValueStore(CompositorTopology.PASS_STORE).get(JOB),
        "an ended job's pass state is not kept");
  }

  @Test
  void aRetryOfAJobCancelledInItsSecondPassStartsItsPassesAgainFromTheFirst() throws Exception {
    statsTile(0, 0);
    statsTile(0, 1);
    assertEquals(List.of(1, 1), passesOf(tasks()), "pass 1 under way");
    control(new JobControl.Cancel(JOB, now.get(), "wrong input"));
    long retriedAt = now.get() + 1_000;
    control(new JobControl.Planned(JOB, retriedAt, 2, 20, 10, OUTPUT, null, 2, null, null));
    statsTile(0, 0, retriedAt);
    statsTile(0, 1, retriedAt);
    List<TileTask> sent = tasks();
    assertEquals(List.of(1, 1), passesOf(sent), "the retry's pass 0 completes and starts its pass 1");
    assertEquals(List.of(retriedAt, retriedAt), sent.stream().map(TileTask::acceptedAt).toList());
  }
}
