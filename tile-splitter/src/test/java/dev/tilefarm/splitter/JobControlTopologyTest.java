package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.store.DeadLetters;
import dev.tilefarm.store.JobLimits;
import dev.tilefarm.store.RecordRetries;
import java.time.Duration;
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
 * Job control around waiting jobs, through the splitter's topology with a dispatcher (window 4): a dependency's
 * retry racing its dependent's, pausing and reprioritizing a waiting job, schedule requests under another key, and
 * the refusals of requests that change nothing. The splitter's own job control records come back to it through the
 * global job outcomes, as on a broker; the compositor's ENDED records are piped in.
 */
class JobControlTopologyTest {
  private static final int WINDOW = 4;
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration CHECK = Duration.ofSeconds(1);
  private final Topics topics = new Topics("t.");
  private final AtomicLong now = new AtomicLong(1_000);
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> jobs;
  private TestInputTopic<String, TileResult> results;
  private TestInputTopic<String, JobControl> controlIn;
  private TestOutputTopic<String, TileTask> tasks;
  private TestOutputTopic<String, JobEvent> events;
  private TestOutputTopic<String, JobControl> control;

  @BeforeEach
  void setUp() {
    JobPlanner planner = new JobPlanner(new JobLimits(1 << 24, 1000, 64), uri -> new ImageProbe.Size(100, 100),
        "farm");
    Map<S3Uri, byte[]> specs = new HashMap<>();
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "job-control-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(SplitterTopology.build(topics, planner, specs::put, now::get,
        new DeadLetters((uri, bytes) -> { }, "farm", SplitterTopology.ROLE, DeadLetters.DEFAULT_MAX_REQUEST_SIZE),
        RecordRetries.defaults(), sink -> WINDOW, GRACE, CHECK), p);
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
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  /** A mandelbrot job of {@code tiles} 64 x 64 tiles in one row, after {@code after} (none if empty). */
  private void submit(String id, int tiles, String... after) {
    jobs.pipeInput(id, "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":"
        + 64 * tiles + ",\"height\":64" + (after.length == 0 ? "" : ",\"after\":[\"" + String.join("\",\"", after)
        + "\"]") + "}");
  }

  /** The compositor ends {@code id}'s run {@code attempt} as {@code outcome}, at the clock's time. */
  private void ended(String id, String outcome, int attempt) {
    controlIn.pipeInput(id, new JobControl.Ended(id, now.get(), outcome, null, attempt > 1 ? attempt : null, "",
        null));
  }

  /** Moves both clocks on by {@code ms}: the waiting jobs are looked at again. */
  private void later(long ms) {
    now.addAndGet(ms);
    driver.advanceWallClockTime(Duration.ofMillis(ms));
  }

  private List<JobEvent> eventsOf(String id) {
    return events.readValuesToList().stream().filter(e -> e.jobId().equals(id)).toList();
  }

  private void done(TileTask task) {
    results.pipeInput(task.jobId(), new TileResult.Done(task.jobId(), task.tile(), task.tileCount(),
        task.imageWidth(), task.imageHeight(), task.output(), task.tileUri(), 3, 10, "0".repeat(64), 5, "w1",
        task.acceptedAt(), null, null, null, null, null, null));
  }

  /** A cancelled parent and its dependent cancelled with it, both ready to be retried. */
  private void cancelledPair() {
    submit("c6", 16);
    submit("c6-dep", 1, "c6");
    later(100);
    ended("c6", "CANCELLED", 1);
    later(CHECK.toMillis());
    JobEvent.Cancelled end = assertInstanceOf(JobEvent.Cancelled.class, eventsOf("c6-dep").getLast());
    assertEquals("job 'c6', which this job waits for, was CANCELLED", end.reason(),
        "a dependency ending while the job waits ends it at once");
    later(5_000);
    tasks.readValuesToList();
    control.readValuesToList();
  }

  /** The dependent's retry comes before the parent's retry shows in the outcomes: it waits for it, not ends. */
  @Test
  void aDependentRetriedBeforeItsParentsRetryShowsWaitsForItAgain() {
    cancelledPair();
    jobs.pipeInput("c6-dep", "{\"retry\":\"c6-dep\"}");
    JobEvent.Waiting waiting = assertInstanceOf(JobEvent.Waiting.class, eventsOf("c6-dep").getLast());
    assertEquals(List.of("c6"), waiting.waitingOn());
    later(27);
    jobs.pipeInput("c6", "{\"retry\":\"c6\"}");
    assertEquals(Integer.valueOf(2), assertInstanceOf(JobEvent.Accepted.class, eventsOf("c6").getLast()).attempt());
    later(CHECK.toMillis());
    assertEquals(List.of(), eventsOf("c6-dep"), "c6 runs again: c6-dep goes on waiting");
    later(GRACE.toMillis());
    assertEquals(List.of(), eventsOf("c6-dep"), "the grace is for a dependency's old end only");
    ended("c6", "COMPLETED", 2);
    later(CHECK.toMillis());
    JobEvent.Accepted accepted = assertInstanceOf(JobEvent.Accepted.class, eventsOf("c6-dep").getLast());
    assertEquals(Integer.valueOf(2), accepted.attempt());
  }

  @Test
  void aDependencyThatEndedBeforeTheRunAndIsNotRetriedEndsItAfterTheGraceNamingIt() {
    cancelledPair();
    jobs.pipeInput("c6-dep", "{\"retry\":\"c6-dep\"}");
    assertInstanceOf(JobEvent.Waiting.class, eventsOf("c6-dep").getLast());
    later(GRACE.toMillis() - CHECK.toMillis());
    assertEquals(List.of(), eventsOf("c6-dep"));
    later(CHECK.toMillis());
    JobEvent.Cancelled end = assertInstanceOf(JobEvent.Cancelled.class, eventsOf("c6-dep").getLast());
    assertEquals("job 'c6', which this job waits for, was CANCELLED", end.reason());
    assertEquals(Integer.valueOf(2), end.attempt());
  }

  @Test
  void aWaitingJobPausedAndReprioritizedStartsSoWhenReleased() {
    submit("w-par", 8);
    submit("w-ch", 30, "w-par");
    events.readValuesToList();
    tasks.readValuesToList();
    jobs.pipeInput("w-ch", "{\"pause\":\"w-ch\"}");
    assertInstanceOf(JobEvent.Paused.class, events.readValue());
    jobs.pipeInput("w-ch", "{\"reprioritize\":\"w-ch\",\"priority\":90}");
    assertEquals(new JobEvent.Prioritized("w-ch", now.get(), 90), events.readValue());
    jobs.pipeInput("w-ch", "{\"pause\":\"w-ch\"}");
    assertEquals(new JobEvent.ScheduleRefused("w-ch", now.get(), "pause", "job 'w-ch' is paused already"),
        events.readValue());
    control.readValuesToList();
    ended("w-par", "COMPLETED", 1);
    later(CHECK.toMillis());
    List<JobEvent> released = eventsOf("w-ch");
    assertEquals(List.of("Accepted", "Paused"), released.stream().map(e -> e.getClass().getSimpleName()).toList());
    assertEquals(90, ((JobEvent.Accepted) released.get(0)).priority());
    assertEquals(List.of(), tasks.readValuesToList(), "it starts paused: nothing goes out");
    List<JobControl> told = control.readValuesToList();
    assertInstanceOf(JobControl.Planned.class, told.get(0));
    assertEquals(new JobControl.Pause("w-ch", now.get()), told.get(1), "workers and compositor learn of the pause");
    later(2_000);
    jobs.pipeInput("w-ch", "{\"resume\":\"w-ch\"}");
    assertEquals(2_000, assertInstanceOf(JobEvent.Resumed.class, events.readValue()).pausedMs());
    assertEquals(ReleaseOrder.window(WINDOW, 90), tasks.readValuesToList().size(), "released at priority 90");
    assertTrue(ReleaseOrder.window(WINDOW, 90) > WINDOW);
  }

  @Test
  void aWaitingJobResumedBeforeItsReleaseStartsRunning() {
    submit("w-par", 8);
    submit("w-ch", 2, "w-par");
    jobs.pipeInput("w-ch", "{\"resume\":\"w-ch\"}");
    assertEquals("job 'w-ch' is not paused", assertInstanceOf(JobEvent.ScheduleRefused.class,
        eventsOf("w-ch").getLast()).reason());
    jobs.pipeInput("w-ch", "{\"pause\":\"w-ch\"}");
    later(500);
    jobs.pipeInput("w-ch", "{\"resume\":\"w-ch\"}");
    assertEquals(500, assertInstanceOf(JobEvent.Resumed.class, eventsOf("w-ch").getLast()).pausedMs());
    tasks.readValuesToList();
    ended("w-par", "COMPLETED", 1);
    later(CHECK.toMillis());
    assertEquals(List.of("Accepted"), eventsOf("w-ch").stream().map(e -> e.getClass().getSimpleName()).toList());
    assertEquals(2, tasks.readValuesToList().size());
  }

  @Test
  void aPauseKeyedOtherwiseIsTakenOnTheJobsOwnTask() {
    submit("k1", 10);
    List<TileTask> first = tasks.readValuesToList();
    assertEquals(WINDOW, first.size());
    events.readValuesToList();
    jobs.pipeInput("other", "{\"pause\":\"k1\"}");
    assertInstanceOf(JobEvent.Paused.class, events.readValue());
    first.forEach(this::done);
    assertEquals(List.of(), tasks.readValuesToList(), "nothing of the paused job goes out");
    jobs.pipeInput("another", "{\"resume\":\"k1\"}");
    assertInstanceOf(JobEvent.Resumed.class, events.readValue());
    assertEquals(WINDOW, tasks.readValuesToList().size());
  }

  @Test
  void requestsThatChangeNothingAreAnsweredWithTheReason() {
    submit("r1", 10);
    events.readValuesToList();
    jobs.pipeInput("r1", "{\"resume\":\"r1\"}");
    jobs.pipeInput("r1", "{\"reprioritize\":\"r1\",\"priority\":50}");
    jobs.pipeInput("r1", "{\"pause\":\"r1\"}");
    jobs.pipeInput("r1", "{\"pause\":\"r1\"}");
    jobs.pipeInput("nobody", "{\"pause\":\"nobody\"}");
    ended("r1", "COMPLETED", 1);
    later(SplitProcessor.RELEASE_INTERVAL.toMillis());
    jobs.pipeInput("r1", "{\"reprioritize\":\"r1\",\"priority\":60}");
    List<String> answers = events.readValuesToList().stream().map(e -> e instanceof JobEvent.ScheduleRefused r
        ? r.jobId() + " " + r.request() + ": " + r.reason() : e.jobId() + " " + e.getClass().getSimpleName()).toList();
    assertEquals(List.of(
        "r1 resume: job 'r1' is not paused",
        "r1 priority: job 'r1' has priority 50 already",
        "r1 Paused",
        "r1 pause: job 'r1' is paused already",
        "nobody pause: the farm knows no job 'nobody' (never accepted, or ended too long ago); only a running or "
            + "waiting job can be paused",
        "r1 priority: job 'r1' is COMPLETED; only a running or waiting job can be given a new priority"), answers);
  }

  @Test
  void aJobWhoseInputJobIsNeverKnownFailsNamingInput() {
    jobs.pipeInput("grey", "{\"id\":\"grey\",\"type\":\"process\",\"input\":\"job:x7\",\"ops\":[{\"op\":\"grayscale\"}]}");
    assertInstanceOf(JobEvent.Waiting.class, events.readValue());
    later(GRACE.toMillis());
    JobEvent.Failed failed = assertInstanceOf(JobEvent.Failed.class, eventsOf("grey").getLast());
    assertTrue(failed.reason().startsWith("input: job 'x7' is not known to the farm"), failed.reason());
  }
}
