package dev.tilefarm.splitter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobLinks;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * When a job that waits for others ({@link JobLinks}) may run, free of Kafka: given what the farm knows of the jobs
 * it waits for ({@link JobOutcomes}), it is released (all completed; a {@code "job:"} input then reads its job's
 * output), ends (one failed or was cancelled: FAILED or CANCELLED naming it; a cycle; an id the farm does not know),
 * or waits on.
 *
 * <p>Unknown ids: a job and the jobs it waits for may come in one batch and be split in any order, on other
 * partitions, so an id the farm has not heard of is not an error at once. It is one if the farm still knows
 * nothing of it {@code grace} after the waiting job came in: then the job ends FAILED naming it. (A job that was
 * rejected is never known: it never ran.)
 *
 * <p>A job it waits for that FAILED or was CANCELLED ends it at once if that end came while it waited. One that
 * ended before this job's run was accepted is waited for through the same {@code grace}: a retry of it, asked for
 * just before this job (or this job's retry), shows in the outcomes only once its run is planned, so its old end is
 * not taken as final until {@code grace} passes with no newer run of it (then the job ends naming it as before).
 */
final class WaitingJobs {
  /** What to do with a waiting job. */
  sealed interface Decision {}

  /**
   * Run it now; {@code input} is its input job's output (null when it has no {@code "job:"} input): an image, or for
   * a video job an animation's output pattern with its {@code frames}.
   */
  record Release(S3Uri input, JobRequest.Frames frames) implements Decision {
    /** A release with an image as input, or none. */
    Release(S3Uri input) {
      this(input, null);
    }

    /** {@code json} (not changed) with its {@code "job:"} input replaced by what that job made. */
    ObjectNode resolve(ObjectNode json) {
      if (input == null) {
        return json;
      }
      return frames == null ? JobLinks.withInput(json, input) : JobLinks.withFrames(json, input, frames);
    }
  }

  /** Keep it waiting for {@code pending}. */
  record Wait(List<String> pending) implements Decision {}

  /** End it ({@code outcome} FAILED or CANCELLED), for {@code reason}. */
  record End(JobOutcomes.State outcome, String reason) implements Decision {}

  private final Duration grace;

  WaitingJobs(Duration grace) {
    this.grace = grace;
  }

  Duration grace() {
    return grace;
  }

  /**
   * The decision for job {@code jobId} with {@code links}, waiting since {@code since}, at {@code now}.
   *
   * @param known what the farm knows of a job, or null
   */
  Decision decide(String jobId, JobLinks links, long since, long now, Function<String, JobOutcomes.Known> known) {
    return decide(jobId, links, false, since, now, known);
  }

  /**
   * As {@link #decide(String, JobLinks, long, long, Function)}; {@code takesFrames}: the job's {@code "job:"} input is
   * an animation's frames (a video job), not a single image.
   */
  Decision decide(String jobId, JobLinks links, boolean takesFrames, long since, long now,
      Function<String, JobOutcomes.Known> known) {
    List<String> pending = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String dep : links.all()) {
      JobOutcomes.Known k = known.apply(dep);
      if (k == null) {
        unknown.add(dep);
        continue;
      }
      switch (k.state()) {
        case COMPLETED -> { }
        case FAILED, CANCELLED -> {
          if (k.at() < since && now - since < grace.toMillis()) {
            // Ended before this run was accepted: a retry of it may be on its way (not in the outcomes yet).
            pending.add(dep);
            continue;
          }
          return k.state() == JobOutcomes.State.FAILED
              ? new End(JobOutcomes.State.FAILED, "job '" + dep + "', which this job waits for, FAILED")
              : new End(JobOutcomes.State.CANCELLED, "job '" + dep + "', which this job waits for, was CANCELLED");
        }
        case WAITING, RUNNING -> pending.add(dep);
      }
    }
    List<String> cycle = cycle(jobId, links.all(), dep -> {
      JobOutcomes.Known k = known.apply(dep);
      return k != null && k.state() == JobOutcomes.State.WAITING ? k.after() : List.of();
    });
    if (!cycle.isEmpty()) {
      return new End(JobOutcomes.State.FAILED, "after: the jobs wait for each other in a cycle: "
          + String.join(" -> ", cycle));
    }
    if (!unknown.isEmpty() && now - since >= grace.toMillis()) {
      String field = links.inputJob() != null && unknown.equals(List.of(links.inputJob())) ? "input" : "after";
      return new End(JobOutcomes.State.FAILED, field + ": " + (unknown.size() == 1 ? "job '" + unknown.get(0) + "' is"
          : "jobs '" + String.join("', '", unknown) + "' are") + " not known to the farm: nothing under that id was "
          + "accepted within " + grace.toSeconds() + " s of this job (it was never submitted, was rejected, or ended "
          + "too long ago)");
    }
    pending.addAll(unknown);
    if (!pending.isEmpty()) {
      return new Wait(pending);
    }
    if (links.inputJob() == null) {
      return new Release(null);
    }
    JobOutcomes.Known input = known.apply(links.inputJob());
    if (takesFrames) {
      if (input.frames() == null) {
        return new End(JobOutcomes.State.FAILED, "input: job '" + links.inputJob() + "' completed without an "
            + "animation's frames (it made " + (input.output() == null ? "no image" : "the single image "
            + input.output()) + "), so there is no video to make of it");
      }
      return new Release(input.frameOutput(), input.frames());
    }
    S3Uri output = input.output();
    if (output == null) {
      return new End(JobOutcomes.State.FAILED, "input: job '" + links.inputJob() + "' completed without a single "
          + "image (an animation's frames), so it cannot be this job's input");
    }
    return new Release(output);
  }

  /**
   * A path of waits from {@code jobId} back to itself ({@code [a, b, a]}), or empty. {@code direct} are the jobs
   * {@code jobId} waits for, {@code afterOf} those another job waits for (empty when it waits for none).
   */
  static List<String> cycle(String jobId, List<String> direct, Function<String, List<String>> afterOf) {
    Map<String, String> parent = new HashMap<>();
    Set<String> seen = new HashSet<>();
    Deque<String> queue = new ArrayDeque<>();
    for (String d : direct) {
      if (seen.add(d)) {
        parent.put(d, jobId);
        queue.add(d);
      }
    }
    while (!queue.isEmpty()) {
      String job = queue.poll();
      if (job.equals(jobId)) {
        List<String> path = new ArrayList<>();
        path.add(jobId);
        for (String at = parent.get(jobId); !at.equals(jobId); at = parent.get(at)) {
          path.add(0, at);
        }
        path.add(0, jobId);
        return path;
      }
      for (String next : afterOf.apply(job)) {
        if (seen.add(next)) {
          parent.put(next, job);
          queue.add(next);
        }
      }
    }
    return List.of();
  }
}
