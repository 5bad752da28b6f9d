package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.TileKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An animation that asked for a video: when its last frame is assembled the compositor sends one video task down
 * the ffmpeg lane instead of completing, and the worker's ENCODED result completes the job naming the video.
 */
class VideoTopologyTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final JsonSerde<TileResult> RESULTS = new JsonSerde<>(TileResult.class);
  private static final S3Uri PATTERN = S3Uri.parse("s3://out/shot/frame-###.png");
  private static final S3Uri VIDEO = S3Uri.parse("s3://out/shot/frame.mp4");
  private static final int[] FRAMES = {10, 12, 14};

  @TempDir
  Path dir;
  private final Topics topics = new Topics("t.");
  private final TestImages.MemoryStore store = new TestImages.MemoryStore();
  private ImageAssembler assembler;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> results;
  private TestOutputTopic<String, JobEvent> events;
  private TestOutputTopic<String, TileTask> videoTasks;
  private final List<TileRect> grid = TestImages.grid(70, 50, 25);

  @BeforeEach
  void setUp() {
    assembler = new ImageAssembler(store, store, dir.resolve("assembly"), 2);
    var props = new java.util.Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "video-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    driver = new TopologyTestDriver(CompositorTopology.build(topics, "farm", assembler, () -> T0, Duration.ofMillis(250)),
        props, T0);
    results = driver.createInputTopic(topics.tileResults().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
    videoTasks = driver.createOutputTopic(topics.tileTasksFor("ffmpeg").name(), Serdes.String().deserializer(),
        topics.tileTasks().valueSerde().deserializer());
    for (int f = 0; f < FRAMES.length; f++) {
      int first = f * grid.size();
      store.putTiles(TestImages.image(70, 50, 3, 100 + f), grid, i -> TileKeys.tile("farm", "anim", first + i));
    }
    driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput("anim", new JsonSerde<>(JobControl.class).encode(new JobControl.Planned("anim", 0,
            grid.size() * FRAMES.length, 70, 50, PATTERN, null,
            new JobControl.VideoPlan(new JobRequest.Video("mp4", 12), VIDEO, 10, 2))));
  }

  @AfterEach
  void tearDown() {
    driver.close();
    assembler.close();
  }

  private void sendAllTiles() {
    for (int index = 0; index < grid.size() * FRAMES.length; index++) {
      int f = index / grid.size();
      TileRect r = grid.get(index % grid.size());
      TileTask task = new TileTask("anim", grid.size() * FRAMES.length, 70, 50, PATTERN,
          TileKeys.tile("farm", "anim", index), 0, null, TileKeys.jobSpec("farm", "anim"), null,
          new TileTask.Work.FrameTile(new TileRect(index, r.x(), r.y(), r.width(), r.height()), FRAMES[f],
              grid.size()));
      results.pipeInput("anim", RESULTS.encode(TileResult.Done.of(task, TileResult.Stored.pixels(3, 1000,
          TileCheck.sha256(store.tiles.get(TileKeys.tile("farm", "anim", index))), 10, "worker-1", null))));
    }
  }

  /** The one video task sent, after checking what it asks for. */
  private TileTask videoTask() {
    List<TileTask> tasks = videoTasks.readValuesToList();
    assertEquals(1, tasks.size(), "one video task: " + tasks);
    TileTask task = tasks.get(0);
    TileTask.Work.Video work = assertInstanceOf(TileTask.Work.Video.class, task.work());
    assertEquals(List.of(10, 12, 14), List.of(work.frame(0), work.frame(1), work.frame(2)));
    assertEquals(3, work.frames());
    assertEquals(new JobRequest.Video("mp4", 12), work.video());
    assertEquals(VIDEO, task.tileUri());
    assertEquals(PATTERN, task.output());
    assertNull(task.job());
    assertNull(task.jobUri());
    return task;
  }

  @Test
  void theLastFrameSendsTheVideoTaskAndEncodedCompletesTheJobNamingTheVideo() {
    sendAllTiles();
    List<JobEvent> before = events.readValuesToList();
    assertEquals(3, before.stream().filter(JobEvent.Frame.class::isInstance).count(), String.valueOf(before));
    assertTrue(before.stream().noneMatch(JobEvent.Completed.class::isInstance), "no COMPLETED before the video");
    TileTask task = videoTask();

    results.pipeInput("anim", RESULTS.encode(TileResult.Encoded.of(task, 5000, "a".repeat(64), 700, "worker-2",
        null)));
    JobEvent.Completed completed = assertInstanceOf(JobEvent.Completed.class, events.readValue());
    assertEquals(VIDEO, completed.video());
    assertEquals(3, completed.frames());
    assertEquals(PATTERN, completed.output());
    assertInstanceOf(JobEnded.class, driver.<String, JobState>getKeyValueStore(CompositorTopology.STORE).get("anim"));
  }

  @Test
  void aFailedVideoFailsTheJobNamingIt() {
    sendAllTiles();
    events.readValuesToList();
    TileTask task = videoTask();
    results.pipeInput("anim", RESULTS.encode(TileResult.Failed.of(task, "ffmpeg failed (exit 1): no space", "w",
        null)));
    JobEvent.Failed failed = assertInstanceOf(JobEvent.Failed.class, events.readValue());
    assertEquals("video s3://out/shot/frame.mp4: ffmpeg failed (exit 1): no space", failed.reason());
  }

  /** A video job ({@code "type": "video"}): the splitter sent its one task; the compositor waits for it at once. */
  private TileTask planVideoJob(String id, S3Uri video) {
    driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput(id, new JsonSerde<>(JobControl.class).encode(new JobControl.Planned(id, 0, 1, 70, 50, PATTERN,
            null, null, null, new JobControl.VideoPlan(new JobRequest.Video("mov", 5), video, 10, 2, 3))));
    return new TileTask(id, 1, 70, 50, PATTERN, video, 0, null, null, null,
        new TileTask.Work.Video(new TileRect(0, 0, 0, 70, 50), 10, 2, 3, new JobRequest.Video("mov", 5)));
  }

  @Test
  void aVideoJobCompletesOnItsEncodedResultNamingTheVideo() {
    S3Uri video = S3Uri.parse("s3://out/v.mov");
    TileTask task = planVideoJob("v", video);
    assertTrue(events.readValuesToList().isEmpty(), "nothing happens until the video is in");
    assertTrue(videoTasks.readValuesToList().isEmpty(), "the video job's task is the splitter's, not sent again");
    assertInstanceOf(JobEncoding.class, driver.<String, JobState>getKeyValueStore(CompositorTopology.STORE).get("v"));
    results.pipeInput("v", RESULTS.encode(TileResult.Encoded.of(task, 4321, "b".repeat(64), 300, "worker-2", null)));
    JobEvent.Completed completed = assertInstanceOf(JobEvent.Completed.class, events.readValue());
    assertEquals(video, completed.video());
    assertEquals(PATTERN, completed.output());
    assertEquals("PNG", completed.format());
    assertEquals(3, completed.frames());
    assertEquals(4321, completed.bytes(), "a video job's bytes are its video's");
    assertEquals(70, completed.width());
    assertEquals(50, completed.height());
  }

  @Test
  void aVideoJobWhoseVideoFailsFailsNamingIt() {
    TileTask task = planVideoJob("w", S3Uri.parse("s3://out/w.mov"));
    results.pipeInput("w", RESULTS.encode(TileResult.Failed.of(task, "tile 0 of job w: frame 12 not found", "w",
        null)));
    JobEvent.Failed failed = assertInstanceOf(JobEvent.Failed.class, events.readValue());
    assertEquals("video s3://out/w.mov: tile 0 of job w: frame 12 not found", failed.reason());
  }
}
