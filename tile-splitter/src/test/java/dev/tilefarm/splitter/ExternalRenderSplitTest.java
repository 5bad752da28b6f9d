package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.schemas.WorkerStatus;
import dev.tilefarm.store.JobLimits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs for povray and blender: routed to their renderer's task topic, animations cut frame by frame. */
class ExternalRenderSplitTest {
  @TempDir
  java.nio.file.Path stateDir;
  private final Topics topics = new Topics("t.");
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final WorkerDirectory workers;
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> jobs;
  private TestOutputTopic<String, TileTask> shared;
  private TestOutputTopic<String, TileTask> povray;
  private TestOutputTopic<String, TileTask> blender;
  private TestOutputTopic<String, JobEvent> events;

  ExternalRenderSplitTest() {
    Properties client = new Properties();
    client.put("bootstrap.servers", "unused:9092");
    workers = new WorkerDirectory(client, topics, now::get);
  }

  @BeforeEach
  void setUp() {
    JobPlanner planner = new JobPlanner(new JobLimits(1 << 24, 1000, 64), uri -> new ImageProbe.Size(100, 100),
        "farm", workers);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "splitter-external-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    Map<S3Uri, byte[]> specs = new HashMap<>();
    driver = new TopologyTestDriver(SplitterTopology.build(topics, planner, specs::put, "farm", now::get), p);
    jobs = driver.createInputTopic(topics.jobs().name(), Serdes.String().serializer(), Serdes.String().serializer());
    shared = output(topics.tileTasks().name());
    povray = output(topics.tileTasksFor("povray").name());
    blender = output(topics.tileTasksFor("blender").name());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
  }

  private TestOutputTopic<String, TileTask> output(String name) {
    return driver.createOutputTopic(name, Serdes.String().deserializer(), topics.tileTasks().valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  @Test
  void aPovRayJobGoesOnlyToThePovRayTopic() {
    jobs.pipeInput("p1", "{\"id\":\"p1\",\"type\":\"render\",\"renderer\":\"povray\",\"width\":130,\"height\":64,"
        + "\"scene\":\"s3://farm/scenes/a.pov\"}");
    assertEquals(3, povray.readValuesToList().size());
    assertTrue(shared.isEmpty());
    assertTrue(blender.isEmpty());
    assertInstanceOf(JobEvent.Accepted.class, events.readValue());
  }

  @Test
  void anAnimationHasEveryFramesTilesNumberedOn() {
    jobs.pipeInput("a1", "{\"id\":\"a1\",\"type\":\"render\",\"renderer\":\"blender\",\"width\":130,\"height\":64,"
        + "\"scene\":\"s3://farm/scenes/a.blend\",\"frames\":{\"start\":5,\"end\":9,\"step\":2}}");
    List<TileTask> tasks = blender.readValuesToList();
    assertEquals(9, tasks.size());
    for (int i = 0; i < 9; i++) {
      TileTask t = tasks.get(i);
      assertEquals(i, t.tile().index());
      assertEquals(9, t.tileCount());
      TileTask.Work.FrameTile work = assertInstanceOf(TileTask.Work.FrameTile.class, t.work());
      assertEquals(3, work.frameTiles());
      assertEquals(5 + 2 * (i / 3), work.frame());
      assertEquals(i / 3, work.frameIndex());
      assertEquals((i % 3) * 64, t.tile().x());
      assertEquals(S3Uri.parse("s3://farm/outputs/a1/frame-####.png"), t.output());
    }
    JobEvent.Accepted accepted = assertInstanceOf(JobEvent.Accepted.class, events.readValue());
    assertEquals(9, accepted.tiles());
  }

  @Test
  void aSingleFrameIsAStillWithItsFrameNumber() {
    jobs.pipeInput("s1", "{\"id\":\"s1\",\"type\":\"render\",\"renderer\":\"blender\",\"width\":64,\"height\":64,"
        + "\"scene\":\"s3://farm/scenes/a.blend\",\"frame\":42}");
    TileTask t = blender.readValue();
    assertEquals(new TileTask.Work.FrameTile(new TileRect(0, 0, 0, 64, 64), 42, null), t.work());
    assertEquals(S3Uri.parse("s3://farm/outputs/s1.png"), t.output());
  }

  @Test
  void aJobForARendererNoPresentWorkerHasIsRejected() {
    workers.seen("w1", new WorkerStatus("w1", List.of("mandelbrot", "builtin", "blender"), 2, now.get()));
    jobs.pipeInput("p2", "{\"id\":\"p2\",\"type\":\"render\",\"renderer\":\"povray\",\"width\":64,\"height\":64,"
        + "\"scene\":\"s3://farm/scenes/a.pov\"}");
    JobEvent.Rejected r = assertInstanceOf(JobEvent.Rejected.class, events.readValue());
    assertEquals("renderer", r.field());
    assertTrue(r.reason().contains("no worker of this farm has the povray renderer"), r.reason());
    assertTrue(r.reason().contains("w1 (mandelbrot, builtin, blender)"), r.reason());
    assertTrue(povray.isEmpty());

    // A worker that has it makes such jobs welcome; one whose heartbeats stopped no longer counts.
    workers.seen("w2", new WorkerStatus("w2", List.of("mandelbrot", "builtin", "povray"), 2, now.get()));
    jobs.pipeInput("p3", "{\"id\":\"p3\",\"type\":\"render\",\"renderer\":\"povray\",\"width\":64,\"height\":64,"
        + "\"scene\":\"s3://farm/scenes/a.pov\"}");
    assertInstanceOf(JobEvent.Accepted.class, events.readValue());
    now.addAndGet(WorkerStatus.ALIVE_MS + 1);
    workers.seen("w1", new WorkerStatus("w1", List.of("mandelbrot", "builtin"), 2, now.get()));
    assertTrue(workers.missing(Renderer.POVRAY) != null);
    workers.seen("w1", null);
    assertNull(workers.missing(Renderer.POVRAY), "with no worker present, jobs wait for one");
    assertNull(workers.missing(Renderer.MANDELBROT));
  }
}
