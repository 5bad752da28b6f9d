package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a job waits for: the jobs of its {@code "after"} list, and for a process job whose {@code "input"} is
 * {@code "job:JOB_ID"}, that job too (whose output becomes the input). Decoded by {@link JobCodec#linksOf}; a
 * job with no links has {@link #NONE}.
 *
 * @param after the ids of {@code "after"}, in the job's order
 * @param inputJob the id of {@code "input": "job:JOB_ID"}, or null
 */
public record JobLinks(List<String> after, String inputJob) {
  /** Most jobs one job may wait for. */
  public static final int MAX_AFTER = 64;
  /** An input naming another job's output: {@code "job:JOB_ID"}. */
  public static final String INPUT_PREFIX = "job:";
  public static final JobLinks NONE = new JobLinks(List.of(), null);

  public JobLinks {
    after = List.copyOf(after);
  }

  /** Every job waited for, each once: the after list, then the input's job. */
  public List<String> all() {
    LinkedHashSet<String> all = new LinkedHashSet<>(after);
    if (inputJob != null) {
      all.add(inputJob);
    }
    return new ArrayList<>(all);
  }

  public boolean none() {
    return after.isEmpty() && inputJob == null;
  }

  /** Whether {@code json}'s {@code "job:"} input is an animation's frames (a video job's) rather than an image. */
  public static boolean takesFrames(com.fasterxml.jackson.databind.JsonNode json) {
    return VideoJobCodec.TYPE.equals(json.path("type").asText());
  }

  /**
   * {@code json} (not changed) with its input job replaced by that animation's frames: {@code "input"} its output
   * {@code pattern}, {@code "frames"} their numbers (a video job, {@link JobRequest.Encode}).
   */
  public static ObjectNode withFrames(ObjectNode json, S3Uri pattern, JobRequest.Frames frames) {
    ObjectNode copy = json.deepCopy();
    copy.put("input", Objects.requireNonNull(pattern, "pattern").toString());
    copy.putObject("frames").put("start", frames.start()).put("end", frames.end()).put("step", frames.step());
    return copy;
  }

  /** {@code json} (not changed) with its input job replaced by that job's output {@code uri}. */
  public static ObjectNode withInput(ObjectNode json, S3Uri uri) {
    ObjectNode copy = json.deepCopy();
    copy.put("input", Objects.requireNonNull(uri, "uri").toString());
    return copy;
  }
}
