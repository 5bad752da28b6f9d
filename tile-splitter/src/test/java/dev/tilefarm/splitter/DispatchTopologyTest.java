package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.clients.StreamsNodes;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.JobLimits;
import dev.tilefarm.store.RecordRetries;
import java.util.ArrayList;
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

/**
 * The splitter's dispatcher through its topology: a lane of window 4 (priority 50), tasks released as results
 * settle them, by priority and in turns, paused jobs held back, ended jobs let go.
 */
class DispatchTopologyTest {
  private static final int WINDOW = 4;
  private final Topics topics = new Topics("t.");
  private final AtomicLong now = new AtomicLong(1_000);
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> jobs;
  private TestInputTopic<String, TileResult> results;
  private TestInputTopic<String, JobControl> controlIn;
  private TestOutputTopic<String, TileTask> tasks;
  private TestOutputTopic<String, JobEvent> events;
  private TestOutputTopic<String, JobControl> control;
  private TestOutputTopic<String, DeadLetter> dead;

  @BeforeEach
  void setUp() {
    JobPlanner planner = new JobPlanner(new JobLimits(1 << 24, 1000, 64), uri -> new ImageProbe.Size(100, 100),
        "farm");
    Map<S3Uri, byte[]> specs = new HashMap<>();
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "dispatch-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(SplitterTopology.build(topics, planner, specs::put, now::get,
        new DeadLetters((uri, bytes) -> { }, "farm", SplitterTopology.ROLE, DeadLetters.DEFAULT_MAX_REQUEST_SIZE),
        RecordRetries.defaults(), sink -> WINDOW), p);
    jobs = driver.createInputTopic(topics.jobs().name(), Serdes.String().serializer(), Serdes.String().serializer());
    results = driver.createInputTopic(topics.tileResults().name(), Serdes.String().serializer(),
        topics.tileResults().valueSerde().serializer());
    controlIn = driver.createInputTopic(topics.jobControl().name(), Serdes.String().serializer(),
        topics.jobControl().valueSerde().serializer());
    tasks = driver.createOutputTopic(topics.tileTasks().name(), Serdes.String().deserializer(),
        topics.tileTasks().valueSerde().deserializer());
    events = driver.createOutputTopic(topics.jobEvents().name(), Serdes.String().deserializer(),
        topics.jobEvents().valueSerde().deserializer());
    control = driver.createOutputTopic(topics.jobControl().name(), Serdes.String().deserializer(),
        topics.jobControl().valueSerde().deserializer());
    dead = driver.createOutputTopic(topics.deadLetter().name(), Serdes.String().deserializer(),
        topics.deadLetter().valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  /** A mandelbrot job of {@code tiles} 64 x 64 tiles in one row. */
  private void submit(String id, int tiles, Integer priority) {
    jobs.pipeInput(id, "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":"
        + 64 * tiles + ",\"height\":64" + (priority == null ? "" : ",\"priority\":" + priority) + "}");
  }

  /** The workers finish {@code task}. */
  private void done(TileTask task) {
    results.pipeInput(task.jobId(), new TileResult.Done(task.jobId(), task.tile(), task.tileCount(),
        task.imageWidth(), task.imageHeight(), task.output(), task.tileUri(), 3, 10, "0".repeat(64), 5, "w1",
        task.acceptedAt(), null, null, null, null, null, null));
  }

  private List<String> released() {
    List<String> out = new ArrayList<>();
    for (TileTask t : tasks.readValuesToList()) {
      out.add(t.jobId() + "/" + t.tile().index());
    }
    return out;
  }

  @Test
  void aJobReleasesItsWindowAtOnceAndTheRestAsResultsComeIn() throws Exception {
    submit("big", 10, null);
    List<TileTask> first = tasks.readValuesToList();
    assertEquals(WINDOW, first.size(), "the window's worth goes straight out, the rest waits");
    assertEquals(List.of(0, 1, 2, 3), first.stream().map(t -> t.tile().index()).toList());
    JobEvent.Accepted accepted = assertInstanceOf(JobEvent.Accepted.class, events.readValue());
    assertEquals(10, accepted.tiles());
    assertEquals(50, accepted.priority(), "the default priority");
    done(first.get(0));
    done(first.get(1));
    assertEquals(List.of("big/4", "big/5"), released());
    // What a restarted task rebuilds its queue from: the job's entry, and its tasks not released yet.
    String stored = driver.<String, String>getKeyValueStore(Dispatcher.JOBS_STORE).get("big");
    QueuedJob job = dev.tilefarm.schemas.Json.MAPPER.readValue(stored, QueuedJob.class);
    assertEquals(6, job.next());
    assertEquals(4, job.inFlight());
    assertEquals(50, job.priority());
    assertEquals(StreamsNodes.TASKS_SINK, job.sink());
    var waiting = driver.<String, TileTask>getKeyValueStore(Dispatcher.TASKS_STORE);
    assertEquals(6, waiting.get(Dispatcher.taskKey("big", 6)).tile().index());
    assertEquals(null, waiting.get(Dispatcher.taskKey("big", 5)), "a released task leaves the store");
  }

  @Test
  void aSmallJobOfTheSamePriorityGetsTheNextRoomBeforeTheBigOnesRest() {
    submit("big", 100, null);
    List<TileTask> first = tasks.readValuesToList();
    submit("small", 2, null);
    assertEquals(List.of(), released(), "the lane is full");
    done(first.get(0));
    assertEquals(List.of("small/0"), released(), "the small job has not been served yet: it goes first");
    done(first.get(1));
    assertEquals(List.of("big/4"), released(), "then they take turns");
    done(first.get(2));
    assertEquals(List.of("small/1"), released());
  }

  @Test
  void aHigherPriorityGoesFirstAndItsWindowIsWider() {
    submit("low", 100, null);
    List<TileTask> low = tasks.readValuesToList();
    events.readValuesToList();
    submit("high", 30, 60);
    // Priority 60 may hold two base windows: 4 more go out at once, though the lane holds 4 of "low".
    assertEquals(List.of("high/0", "high/1", "high/2", "high/3"), released());
    assertEquals(60, assertInstanceOf(JobEvent.Accepted.class, events.readValue()).priority());
    done(low.get(0));
    assertEquals(List.of("high/4"), released(), "room goes to the higher priority");
  }

  @Test
  void aPausedJobsTasksAreHeldBackUntilItIsResumedAndItsClocksAreTold() {
    submit("a", 10, null);
    List<TileTask> first = tasks.readValuesToList();
    events.readValuesToList();
    control.readValuesToList();
    now.set(5_000);
    jobs.pipeInput("a", "{\"pause\":\"a\"}");
    assertInstanceOf(JobEvent.Paused.class, events.readValue());
    assertEquals(new JobControl.Pause("a", 5_000), control.readValue());
    first.forEach(this::done);
    assertEquals(List.of(), released(), "nothing of a paused job goes out");
    jobs.pipeInput("a", "{\"pause\":\"a\"}");
    assertEquals(new JobEvent.ScheduleRefused("a", 5_000, "pause", "job 'a' is paused already"), events.readValue(),
        "a second pause changes nothing, and says so");
    now.set(8_000);
    jobs.pipeInput("a", "{\"resume\":\"a\"}");
    JobEvent.Resumed resumed = assertInstanceOf(JobEvent.Resumed.class, events.readValue());
    assertEquals(3_000, resumed.pausedMs());
    assertEquals(new JobControl.Resume("a", 8_000), control.readValue());
    assertEquals(List.of("a/4", "a/5", "a/6", "a/7"), released(), "the tiles in hand finished: a full window");
  }

  /**
   * A worker hands back released tasks of a paused job: their room goes to another job, and on resume they are the
   * job's first tasks out, once each, with the deadline every task of the job has then (moved on by the pause).
   */
  @Test
  void tasksHandedBackWhilePausedMakeRoomAndGoOutFirstOnResume() throws Exception {
    jobs.pipeInput("a", "{\"id\":\"a\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":640,"
        + "\"height\":64,\"timeLimit\":60}");
    List<TileTask> first = tasks.readValuesToList();
    submit("b", 3, null);
    assertEquals(List.of(), released(), "a's window is full");
    long deadline = first.get(0).deadline();
    now.set(5_000);
    jobs.pipeInput("a", "{\"pause\":\"a\"}");
    results.pipeInput("a", TileResult.Returned.of(first.get(3), "w1"));
    assertEquals(List.of("b/0"), released(), "the room a handed-back task held goes to a job that is not paused");
    results.pipeInput("a", TileResult.Returned.of(first.get(2), "w1"));
    assertEquals(List.of("b/1"), released());
    QueuedJob a = dev.tilefarm.schemas.Json.MAPPER.readValue(
        driver.<String, String>getKeyValueStore(Dispatcher.JOBS_STORE).get("a"), QueuedJob.class);
    assertEquals(2, a.next(), "two of a's tasks are out");
    assertEquals(2, a.inFlight());
    TileTask earlierRun = new TileTask("a", 10, 640, 64, first.get(1).output(), first.get(1).tileUri(), 1,
        first.get(1).job(), null, null, first.get(1).work());
    results.pipeInput("a", TileResult.Returned.of(earlierRun, "w1"));
    results.pipeInput("gone", TileResult.Returned.of(new TileTask("gone", 10, 640, 64, earlierRun.output(),
        earlierRun.tileUri(), 1_000, earlierRun.job(), null, null, earlierRun.work()), "w1"));
    assertEquals(List.of(), released(), "a hand-back of another run, or of a job not held, changes nothing");
    done(first.get(0));
    done(first.get(1));
    List<TileTask> b = tasks.readValuesToList();
    assertEquals(List.of("b/2"), b.stream().map(t -> t.jobId() + "/" + t.tile().index()).toList(),
        "a paused job's handed-back tasks wait");
    now.set(8_000);
    jobs.pipeInput("a", "{\"resume\":\"a\"}");
    List<TileTask> again = tasks.readValuesToList();
    done(b.get(0));
    again.addAll(tasks.readValuesToList());
    done(again.get(0));
    done(again.get(1));
    again.addAll(tasks.readValuesToList());
    assertEquals(List.of(2, 3, 4, 5), again.stream().map(t -> t.tile().index()).toList(),
        "the handed-back tasks first, then the rest of the queue");
    again.forEach(t -> assertEquals(deadline + 3_000, t.deadline(), t.label() + ": the pause moves its deadline once"));
  }

  @Test
  void aPriorityChangeReordersWhatWaitsAndIsAnnounced() {
    submit("a", 100, null);
    List<TileTask> first = tasks.readValuesToList();
    submit("b", 100, null);
    events.readValuesToList();
    jobs.pipeInput("b", "{\"reprioritize\":\"b\",\"priority\":55}");
    assertEquals(new JobEvent.Prioritized("b", 1_000, 55), events.readValue());
    done(first.get(0));
    done(first.get(1));
    assertEquals(List.of("b/0", "b/1"), released());
  }

  @Test
  void anEndedJobsWaitingTasksAreDroppedAndItsRoomGoesToOthers() {
    submit("a", 100, null);
    submit("b", 3, null);
    tasks.readValuesToList();
    controlIn.pipeInput("a", new JobControl.Ended("a", 2_000, "CANCELLED"));
    // The ENDED lands in the global job outcomes; the dispatcher lets the job go on its next release round.
    driver.advanceWallClockTime(SplitProcessor.RELEASE_INTERVAL);
    assertEquals(List.of("b/0", "b/1", "b/2"), released());
    jobs.pipeInput("a", "{\"pause\":\"a\"}");
    events.readValuesToList();
    assertEquals(0, control.readValuesToList().stream().filter(c -> c instanceof JobControl.Pause).count(),
        "an ended job is not paused");
  }

  @Test
  void aJobThatEndedBeforeTheNextReleaseRoundIsRefusedAsEnded() {
    submit("a", 100, null);
    tasks.readValuesToList();
    events.readValuesToList();
    control.readValuesToList();
    controlIn.pipeInput("a", new JobControl.Ended("a", 2_000, "COMPLETED"));
    // No release round yet: the dispatcher still holds the job, but its end is in the job outcomes.
    jobs.pipeInput("a", "{\"pause\":\"a\"}");
    JobEvent.ScheduleRefused refused = assertInstanceOf(JobEvent.ScheduleRefused.class, events.readValue());
    assertTrue(refused.reason().startsWith("job 'a' is COMPLETED"), refused.reason());
    assertEquals(0, control.readValuesToList().stream().filter(c -> c instanceof JobControl.Pause).count(),
        "an ended job is not paused");
  }

  @Test
  void aBadScheduleRequestIsDeadLettered() {
    jobs.pipeInput("a", "{\"reprioritize\":\"a\",\"priority\":500}");
    DeadLetter letter = dead.readValue();
    assertTrue(letter.error().contains("priority"), letter.error());
  }
}
