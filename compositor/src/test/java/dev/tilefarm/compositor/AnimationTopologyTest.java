package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.store.TileKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Animations: tiles of all frames arrive mixed; each frame is written when its tiles are in, the job after the last. */
class AnimationTopologyTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);
  private static final S3Uri PATTERN = S3Uri.parse("s3://out/shot/frame-###.png");
  private static final int[] FRAMES = {10, 12, 14};

  @TempDir
  Path dir;
  private final Topics topics = new Topics("t.");
  private final TestImages.MemoryStore store = new TestImages.MemoryStore();
  private ImageAssembler assembler;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> results;
  private TestOutputTopic<String, JobEvent> events;
  private final List<TileImage> images = new ArrayList<>();
  private final List<TileRect> grid = TestImages.grid(70, 50, 25);

  @BeforeEach
  void setUp() {
    assembler = new ImageAssembler(store, store, dir.resolve("assembly"), 2);
    var props = new java.util.Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "animation-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    driver = new TopologyTestDriver(CompositorTopology.build(topics, "farm", assembler, () -> T0, Duration.ofMillis(250)),
        props, T0);
    results = driver.createInputTopic(topics.tileResults().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
    for (int f = 0; f < FRAMES.length; f++) {
      TileImage image = TestImages.image(70, 50, 3, 100 + f);
      images.add(image);
      int first = f * grid.size();
      store.putTiles(image, grid, i -> TileKeys.tile("farm", "anim", first + i));
    }
  }

  @AfterEach
  void tearDown() {
    driver.close();
    assembler.close();
  }

  /** The result of tile {@code index} over all frames, numbered as the splitter numbers them. */
  private TileResult.Done result(int index) {
    int f = index / grid.size();
    TileRect r = grid.get(index % grid.size());
    TileRect rect = new TileRect(index, r.x(), r.y(), r.width(), r.height());
    TileTask task = new TileTask("anim", grid.size() * FRAMES.length, 70, 50, PATTERN,
        TileKeys.tile("farm", "anim", index), 0, null, TileKeys.jobSpec("farm", "anim"), null,
        new TileTask.Work.FrameTile(rect, FRAMES[f], grid.size()));
    return TileResult.Done.of(task, TileResult.Stored.pixels(3, 1000,
        TileCheck.sha256(store.tiles.get(TileKeys.tile("farm", "anim", index))), 10, "worker-1",
        new S3Uri("farm", "logs/anim/" + index + ".log")));
  }

  private void send(int index) {
    results.pipeInput("anim", RESULTS.encode(result(index)));
  }

  /** The splitter's plan of the animation. */
  private void plan() {
    driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput("anim", new dev.tilefarm.schemas.JsonSerde<>(dev.tilefarm.schemas.JobControl.class).encode(
            new dev.tilefarm.schemas.JobControl.Planned("anim", 0, grid.size() * FRAMES.length, 70, 50, PATTERN,
                null)));
  }

  @Test
  void framesWhoseTilesOvertakeThePlanAreWrittenWhenItComes() {
    for (int i = grid.size(); i < 2 * grid.size(); i++) {
      send(i);
    }
    assertTrue(events.readValuesToList().stream().noneMatch(JobEvent.Frame.class::isInstance),
        "no output pattern before the plan");
    assertTrue(store.written.isEmpty());
    JobState waiting = driver.<String, JobState>getKeyValueStore(CompositorTopology.STORE).get("anim");
    assertEquals(waiting, JobStateCodec.decode(JobStateCodec.encode(waiting)), "the frame numbers are kept");
    plan();
    JobEvent.Frame frame = assertInstanceOf(JobEvent.Frame.class, events.readValue());
    assertEquals(12, frame.frame());
    assertEquals(S3Uri.parse("s3://out/shot/frame-012.png"), frame.output());
    assertArrayEquals(images.get(1).pixels(), TestImages.decode(store.written.get(frame.output()).bytes()).pixels());
    for (int i = 0; i < grid.size() * FRAMES.length; i++) {
      if (i / grid.size() != 1) {
        send(i);
      }
    }
    List<JobEvent> all = events.readValuesToList();
    assertEquals(2, all.stream().filter(JobEvent.Frame.class::isInstance).count(), all.toString());
    assertInstanceOf(JobEvent.Completed.class, all.get(all.size() - 1));
  }

  @Test
  void anAnimationsProgressSurvivesTheStore() {
    JobProgress p = JobProgress.start(result(7), 5, result(7).output());
    p.add(result(7));
    p.frameBytes = 1234;
    p.frameNumbers.put(0, 11);
    JobState back = JobStateCodec.decode(JobStateCodec.encode(p));
    assertEquals(p, back);
    assertEquals(grid.size(), ((JobProgress) back).frameTiles);
  }

  @Test
  void eachFrameIsWrittenAsSoonAsItsTilesAreInAndTheJobCompletesWithTheLast() {
    int n = grid.size() * FRAMES.length;
    plan();
    // Frame 12 (the second) first, then the rest mixed.
    List<Integer> rest = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i / grid.size() == 1) {
        send(i);
      } else {
        rest.add(i);
      }
    }
    List<JobEvent> early = events.readValuesToList();
    List<JobEvent.Frame> firstFrames = early.stream().filter(JobEvent.Frame.class::isInstance)
        .map(JobEvent.Frame.class::cast).toList();
    assertEquals(1, firstFrames.size(), early.toString());
    assertEquals(12, firstFrames.get(0).frame());
    assertEquals(S3Uri.parse("s3://out/shot/frame-012.png"), firstFrames.get(0).output());

    Collections.shuffle(rest, new Random(3));
    rest.forEach(this::send);
    List<JobEvent> all = events.readValuesToList();
    List<JobEvent.Frame> frames = all.stream().filter(JobEvent.Frame.class::isInstance).map(JobEvent.Frame.class::cast)
        .toList();
    assertEquals(2, frames.size(), all.toString());
    JobEvent last = all.get(all.size() - 1);
    JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, last);
    assertEquals(3, c.frames());
    assertEquals(PATTERN, c.output());
    assertNull(c.sha256());
    assertEquals(n, c.tiles());
    assertEquals(S3Uri.parse("s3://farm/logs/anim/"), c.logs());
    long total = 0;
    for (int f = 0; f < FRAMES.length; f++) {
      S3Uri out = dev.tilefarm.schemas.JobRequest.Frames.outputOf(PATTERN, FRAMES[f]);
      TestImages.MemoryStore.Stored stored = store.written.get(out);
      assertTrue(stored != null, "frame " + FRAMES[f] + " was not written to " + out);
      assertArrayEquals(images.get(f).pixels(), TestImages.decode(stored.bytes()).pixels(), "frame " + FRAMES[f]);
      total += stored.bytes().length;
    }
    assertEquals(total, c.bytes());
    // Duplicates after the end change nothing.
    send(0);
    assertTrue(events.readValuesToList().isEmpty());
  }
}
