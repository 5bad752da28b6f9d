package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.schemas.JobLinks;
import dev.tilefarm.schemas.S3Uri;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WaitingJobsTest {
  private static final S3Uri OUT = S3Uri.parse("s3://farm/outputs/a.png");
  private final WaitingJobs waiting = new WaitingJobs(Duration.ofSeconds(30));
  private final Map<String, JobOutcomes.Known> known = new HashMap<>();

  private void is(String id, JobOutcomes.State state, S3Uri output, String... after) {
    isAt(id, state, 1, output, after);
  }

  /** As {@link #is}, the state recorded at {@code at} (the waiting job came in at 1000). */
  private void isAt(String id, JobOutcomes.State state, long at, S3Uri output, String... after) {
    known.put(id, new JobOutcomes.Known(state, at, List.of(after), output, 1, null));
  }

  private WaitingJobs.Decision decide(String id, JobLinks links, long waitedMs) {
    return waiting.decide(id, links, 1000, 1000 + waitedMs, known::get);
  }

  @Test
  void aJobWaitsUntilEveryJobItIsAfterCompleted() {
    is("a", JobOutcomes.State.COMPLETED, OUT);
    is("b", JobOutcomes.State.RUNNING, null);
    is("c", JobOutcomes.State.WAITING, null, "a");
    JobLinks links = new JobLinks(List.of("a", "b", "c"), null);
    assertEquals(new WaitingJobs.Wait(List.of("b", "c")), decide("d", links, 0));
    is("b", JobOutcomes.State.COMPLETED, null);
    is("c", JobOutcomes.State.COMPLETED, null);
    assertEquals(new WaitingJobs.Release(null), decide("d", links, 0));
  }

  @Test
  void aJobInputIsReleasedWithItsJobsOutput() {
    is("render", JobOutcomes.State.COMPLETED, OUT);
    assertEquals(new WaitingJobs.Release(OUT), decide("grey", new JobLinks(List.of(), "render"), 0));
  }

  @Test
  void anAnimationCannotBeAnInput() {
    is("shot", JobOutcomes.State.COMPLETED, null);
    assertEquals(new WaitingJobs.End(JobOutcomes.State.FAILED, "input: job 'shot' completed without a single image "
        + "(an animation's frames), so it cannot be this job's input"),
        decide("grey", new JobLinks(List.of(), "shot"), 0));
  }

  @Test
  void aFailedOrCancelledJobEndsTheJobAfterItNamingIt() {
    is("a", JobOutcomes.State.RUNNING, null);
    isAt("b", JobOutcomes.State.FAILED, 1000, null);
    assertEquals(new WaitingJobs.End(JobOutcomes.State.FAILED, "job 'b', which this job waits for, FAILED"),
        decide("c", new JobLinks(List.of("a", "b"), null), 0));
    isAt("b", JobOutcomes.State.CANCELLED, 1500, null);
    assertEquals(new WaitingJobs.End(JobOutcomes.State.CANCELLED, "job 'b', which this job waits for, was CANCELLED"),
        decide("c", new JobLinks(List.of("a", "b"), null), 0));
  }

  /** An end from before the job came in may be followed by a retry not in the outcomes yet: waited for, then final. */
  @Test
  void aJobThatEndedBeforeTheWaitingJobCameInIsWaitedForThroughTheGrace() {
    is("b", JobOutcomes.State.CANCELLED, null);
    JobLinks links = new JobLinks(List.of("b"), null);
    assertEquals(new WaitingJobs.Wait(List.of("b")), decide("c", links, 0));
    assertEquals(new WaitingJobs.Wait(List.of("b")), decide("c", links, 29_999));
    assertEquals(new WaitingJobs.End(JobOutcomes.State.CANCELLED, "job 'b', which this job waits for, was CANCELLED"),
        decide("c", links, 30_000));
    isAt("b", JobOutcomes.State.RUNNING, 1200, null);
    assertEquals(new WaitingJobs.Wait(List.of("b")), decide("c", links, 40_000), "retried: waited for as any run");
    isAt("b", JobOutcomes.State.FAILED, 41_000, null);
    assertEquals(new WaitingJobs.End(JobOutcomes.State.FAILED, "job 'b', which this job waits for, FAILED"),
        decide("c", links, 41_000), "the retry's end, after the job came in, ends it at once");
  }

  @Test
  void anUnknownInputJobIsNamedAsTheInput() {
    JobLinks links = new JobLinks(List.of(), "x7");
    assertEquals(new WaitingJobs.End(JobOutcomes.State.FAILED, "input: job 'x7' is not known to the farm: nothing "
        + "under that id was accepted within 30 s of this job (it was never submitted, was rejected, or ended too "
        + "long ago)"), decide("grey", links, 30_000));
  }

  @Test
  void anUnknownIdIsWaitedForThroughTheGraceThenFailsNamingIt() {
    JobLinks links = new JobLinks(List.of("typo"), null);
    assertEquals(new WaitingJobs.Wait(List.of("typo")), decide("c", links, 29_999));
    assertEquals(new WaitingJobs.End(JobOutcomes.State.FAILED, "after: job 'typo' is not known to the farm: nothing "
        + "under that id was accepted within 30 s of this job (it was never submitted, was rejected, or ended too "
        + "long ago)"), decide("c", links, 30_000));
  }

  @Test
  void jobsWaitingForEachOtherEndInACycleNamingIt() {
    is("a", JobOutcomes.State.WAITING, null, "b");
    is("b", JobOutcomes.State.WAITING, null, "c");
    assertEquals(new WaitingJobs.End(JobOutcomes.State.FAILED, "after: the jobs wait for each other in a cycle: "
        + "c -> a -> b -> c"), decide("c", new JobLinks(List.of("a"), null), 0));
  }

  @Test
  void theCycleIsTheShortestPathBackAndNoneWithoutOne() {
    Map<String, List<String>> after = Map.of("b", List.of("x", "a"), "x", List.of("y"), "y", List.of());
    assertEquals(List.of("a", "b", "a"), WaitingJobs.cycle("a", List.of("b"), j -> after.getOrDefault(j, List.of())));
    assertEquals(List.of(), WaitingJobs.cycle("z", List.of("b"), j -> after.getOrDefault(j, List.of())));
  }
}
