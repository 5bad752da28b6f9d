package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.JobLimits;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SplitterTopologyTest {
  private final Topics topics = new Topics("t.");
  private final Map<S3Uri, byte[]> specs = new HashMap<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> jobs;
  private TestOutputTopic<String, TileTask> tasks;
  private TestOutputTopic<String, JobEvent> events;
  private TestOutputTopic<String, DeadLetter> dead;
  private TestOutputTopic<String, byte[]> rerouted;

  @BeforeEach
  void setUp() {
    JobPlanner planner = new JobPlanner(new JobLimits(1 << 24, 1000, 64),
        uri -> new ImageProbe.Size(100, 100), "farm");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "splitter-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(SplitterTopology.build(topics, planner, specs::put, "farm", () -> 1000L), p);
    jobs = driver.createInputTopic(topics.jobs().name(), Serdes.String().serializer(), Serdes.String().serializer());
    tasks = driver.createOutputTopic(topics.tileTasks().name(), Serdes.String().deserializer(),
        topics.tileTasks().valueSerde().deserializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
    dead = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        topics.deadLetter().valueSerde().deserializer());
    rerouted = driver.createOutputTopic(topics.jobs().name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  @Test
  void validJobBecomesTileTasksAndOneAcceptedEvent() {
    jobs.pipeInput("a1", "{\"id\":\"a1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":130,\"height\":64}");
    List<TileTask> out = tasks.readValuesToList();
    assertEquals(3, out.size());
    TileTask last = out.get(2);
    assertEquals("a1", last.jobId());
    assertEquals(2, last.tile().index());
    assertEquals(2, last.tile().width());
    assertEquals(S3Uri.parse("s3://farm/tiles/a1/2.tft"), last.tileUri());
    assertNotNull(last.job());
    JobEvent.Accepted accepted = assertInstanceOf(JobEvent.Accepted.class, events.readValue());
    assertEquals(3, accepted.tiles());
    assertTrue(events.isEmpty());
  }

  @Test
  void tinyTilesTravelInPacksThatCoverEveryTileOnce() {
    // 300 x 200 at 10 px: 600 tiles of 100 pixels; 600 / 64 tasks at least = packs of 9, the last of 6.
    jobs.pipeInput("p1", "{\"id\":\"p1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":300,"
        + "\"height\":200,\"tileSize\":10}");
    var records = tasks.readKeyValuesToList();
    assertEquals(67, records.size());
    int next = 0;
    for (var kv : records) {
      TileTask t = kv.value;
      TileTask.Work.Pack pack = assertInstanceOf(TileTask.Work.Pack.class, t.work());
      assertEquals(9, pack.packTiles());
      assertEquals("p1/" + next, kv.key);
      assertEquals(S3Uri.parse("s3://farm/tiles/p1/pack-" + next + ".tfp"), t.tileUri());
      assertEquals(t.tile(), pack.tiles().get(0));
      for (var rect : pack.tiles()) {
        assertEquals(next++, rect.index());
        assertEquals(10, rect.width());
        assertEquals(10, rect.height());
      }
    }
    assertEquals(600, next);
    assertEquals(6, records.get(66).value.tiles().size());
    assertEquals(600, assertInstanceOf(JobEvent.Accepted.class, events.readValue()).tiles());
  }

  @Test
  void tilesWorthATaskEachAreNotPacked() {
    // 32 px tiles are packed only in jobs large enough; 64 px tiles never; nor external renderers' or process tiles.
    jobs.pipeInput("q1", "{\"id\":\"q1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":320,"
        + "\"height\":320,\"tileSize\":32}");
    assertTrue(tasks.readValuesToList().stream().allMatch(t -> t.work() instanceof TileTask.Work.Tile));
    jobs.pipeInput("q2", "{\"id\":\"q2\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":4096,"
        + "\"height\":4096,\"tileSize\":64}");
    assertTrue(tasks.readValuesToList().stream().allMatch(t -> t.work() instanceof TileTask.Work.Tile));
    jobs.pipeInput("q3", "{\"id\":\"q3\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":1024,"
        + "\"height\":512,\"tileSize\":32}");
    List<TileTask> packed = tasks.readValuesToList();
    assertEquals(64, packed.size(), "512 tiles of 32 px in packs of 8, to keep 64 tasks: " + events.readValuesToList());
    assertTrue(packed.stream().allMatch(t -> t.work() instanceof TileTask.Work.Pack p && p.packTiles() == 8
        && p.tiles().size() == 8));
  }

  @Test
  void repeatedIdIsNotRunTwice() {
    String job = "{\"id\":\"same\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":10,\"height\":10}";
    jobs.pipeInput("same", job);
    jobs.pipeInput("same", job);
    assertEquals(1, tasks.readValuesToList().size());
    assertEquals(1, events.readValuesToList().size());
  }

  @Test
  void invalidJobIsRejectedNamingTheField() {
    jobs.pipeInput("bad", "{\"id\":\"bad\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":-5,\"height\":10}");
    JobEvent.Rejected r = assertInstanceOf(JobEvent.Rejected.class, events.readValue());
    assertEquals("bad", r.jobId());
    assertEquals("width", r.field());
    assertTrue(r.reason().contains("-5"), r.reason());
    assertTrue(tasks.isEmpty());
  }

  @Test
  void undecodableRecordGoesToTheDeadLetterTopicWithItsBytes() {
    jobs.pipeInput("k", "{not json");
    DeadLetter d = dead.readValue();
    assertArrayEquals("{not json".getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(d.valueBase64()));
    assertEquals(topics.jobs().name(), d.sourceTopic());
    assertTrue(d.error().startsWith("not valid JSON"), d.error());
    // and the splitter carries on
    jobs.pipeInput("ok", "{\"id\":\"ok\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":10,\"height\":10}");
    assertInstanceOf(JobEvent.Accepted.class, events.readValue());
  }

  /** 900 KB in base64 is over the producer's 1 MB max.request.size: the bytes go to object storage instead. */
  @Test
  void aRecordTooLargeToTravelInItsLetterIsClaimChecked() throws Exception {
    byte[] value = new byte[900 * 1024];
    java.util.Arrays.fill(value, (byte) '{');
    driver.createInputTopic(topics.jobs().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput("big", value);
    DeadLetter d = dead.readValue();
    assertNull(d.valueBase64());
    assertEquals("s3://farm/dead-letters/t.jobs/0-0.value", d.valueStored().uri());
    assertArrayEquals(value, specs.get(S3Uri.parse(d.valueStored().uri())));
    assertEquals(value.length, d.valueStored().size());
    assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(value)),
        d.valueStored().sha256());
    assertTrue(topics.deadLetter().valueSerde().serializer().serialize(null, d).length < 1024 * 1024);
    jobs.pipeInput("ok", "{\"id\":\"ok\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":10,\"height\":10}");
    assertInstanceOf(JobEvent.Accepted.class, events.readValue());
  }

  /** A failure nobody foresaw would fail the stream thread on the same record for ever; it is dead-lettered. */
  @Test
  void aRecordTheSplitterFailsOnIsDeadLetteredAndTheNextJobRuns() {
    driver.close();
    JobPlanner planner = new JobPlanner(new JobLimits(1 << 24, 1000, 64),
        uri -> new ImageProbe.Size(100, 100), "farm");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "splitter-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    JobSpecs broken = (uri, json) -> {
      throw new IllegalStateException("a bug in storing " + uri);
    };
    driver = new TopologyTestDriver(SplitterTopology.build(topics, planner, broken, "farm", () -> 1000L), p);
    jobs = driver.createInputTopic(topics.jobs().name(), Serdes.String().serializer(), Serdes.String().serializer());
    dead = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        topics.deadLetter().valueSerde().deserializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
    // Over the inline limit, so the job is stored (and the store fails).
    StringBuilder objects = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      objects.append(i == 0 ? "" : ",").append("{\"type\":\"sphere\",\"center\":[").append(i)
          .append(",0,0],\"radius\":0.5,\"material\":\"m\"}");
    }
    jobs.pipeInput("big", "{\"id\":\"big\",\"type\":\"render\",\"renderer\":\"builtin\",\"width\":100,\"height\":100,"
        + "\"scene\":{\"camera\":{\"position\":[0,0,5],\"lookAt\":[0,0,0]},"
        + "\"materials\":{\"m\":{\"type\":\"diffuse\",\"color\":[1,1,1]}},\"objects\":[" + objects + "]}}");
    DeadLetter d = dead.readValue();
    assertTrue(d.error().contains("a bug in storing"), d.error());
    assertEquals(topics.jobs().name(), d.sourceTopic());
    jobs.pipeInput("ok", "{\"id\":\"ok\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":10,\"height\":10}");
    assertTrue(events.readValuesToList().stream().anyMatch(e -> e instanceof JobEvent.Accepted a && a.jobId().equals("ok")));
  }

  @Test
  void jobUnderAnotherKeyIsSentBackUnderItsId() {
    jobs.pipeInput((String) null, "{\"id\":\"x9\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":10,\"height\":10}");
    var back = rerouted.readKeyValue();
    assertEquals("x9", back.key);
    // The test driver feeds the re-keyed record straight back in, as the real jobs topic would.
    List<TileTask> out = tasks.readValuesToList();
    assertEquals(1, out.size());
    assertEquals("x9", out.get(0).jobId());
  }

  @Test
  void jobWithoutIdGetsOneFixedByItsRecord() {
    jobs.pipeInput((String) null, "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":10,\"height\":10}");
    var back = rerouted.readKeyValue();
    assertTrue(back.key.startsWith("job-"), back.key);
    assertTrue(new String(back.value, StandardCharsets.UTF_8).contains("\"id\":\"" + back.key + "\""));
  }

  @Test
  void largeJobIsStoredOnceAndReferenced() {
    StringBuilder objects = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      objects.append(i == 0 ? "" : ",").append("{\"type\":\"sphere\",\"center\":[").append(i)
          .append(",0,0],\"radius\":0.5,\"material\":\"m\"}");
    }
    jobs.pipeInput("big", "{\"id\":\"big\",\"type\":\"render\",\"renderer\":\"builtin\",\"width\":100,\"height\":100,"
        + "\"scene\":{\"camera\":{\"position\":[0,0,5],\"lookAt\":[0,0,0]},"
        + "\"materials\":{\"m\":{\"type\":\"diffuse\",\"color\":[1,1,1]}},\"objects\":[" + objects + "]}}");
    List<TileTask> out = tasks.readValuesToList();
    assertEquals(4, out.size());
    assertNull(out.get(0).job());
    assertEquals(S3Uri.parse("s3://farm/jobs/big.json"), out.get(0).jobUri());
    assertEquals(1, specs.size());
  }

  // ---- cancellation and deadlines ----

  private static final String SMALL = "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":32,"
      + "\"tileSize\":32,\"timeLimit\":60}";

  @Test
  void anAcceptedJobIsAnnouncedToTheCompositorAndItsTasksCarryTheDeadline() {
    TestOutputTopic<String, dev.tilefarm.schemas.JobControl> control = driver.createOutputTopic(
        topics.jobControl().name(), Serdes.String().deserializer(), topics.jobControl().valueSerde().deserializer());
    jobs.pipeInput("d1", SMALL);
    assertEquals(List.of(new dev.tilefarm.schemas.JobControl.Planned("d1", 1000L, 2, 64, 32,
        S3Uri.parse("s3://farm/outputs/d1.png"), 61_000L)), control.readValuesToList());
    assertTrue(tasks.readValuesToList().stream().allMatch(t -> t.deadline() == 61_000L));
  }

  @Test
  void aCancelOfAnAcceptedJobGoesToTheCompositorAndOneBeforeTheJobTakesItsId() {
    TestOutputTopic<String, dev.tilefarm.schemas.JobControl> control = driver.createOutputTopic(
        topics.jobControl().name(), Serdes.String().deserializer(), topics.jobControl().valueSerde().deserializer());
    jobs.pipeInput("c1", SMALL);
    control.readValuesToList();
    events.readValuesToList();
    jobs.pipeInput("c1", "{\"cancel\":\"c1\",\"reason\":\"no\"}");
    assertEquals(List.of(new dev.tilefarm.schemas.JobControl.Cancel("c1", 1000L, "no")), control.readValuesToList());
    assertTrue(events.readValuesToList().isEmpty(), "the compositor, not the splitter, ends an accepted job");

    jobs.pipeInput("c2", "{\"cancel\":\"c2\"}");
    List<JobEvent> early = events.readValuesToList();
    assertEquals(1, early.size());
    assertTrue(early.get(0) instanceof JobEvent.Cancelled, early.toString());
    tasks.readValuesToList();
    jobs.pipeInput("c2", SMALL);
    assertTrue(tasks.readValuesToList().isEmpty(), "a job cancelled before it came is never split");
    assertTrue(events.readValuesToList().isEmpty());
  }

  @Test
  void anInvalidCancelIsDeadLettered() {
    jobs.pipeInput("c3", "{\"cancel\":\"c3\",\"because\":1}");
    List<DeadLetter> letters = dead.readValuesToList();
    assertEquals(1, letters.size());
    assertTrue(letters.get(0).error().contains("because"), letters.get(0).error());
    assertTrue(events.readValuesToList().isEmpty());
  }
}
