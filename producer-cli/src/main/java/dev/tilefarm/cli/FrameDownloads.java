package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saving a completed animation's frames ({@code tilefarm get ANIM -o 'shots/f-####.png'}): each frame from its FRAME
 * event, checked as the job's own with that event's sha256 ({@link JobRunner#download}), to the local pattern with
 * its {@code #} run replaced by the frame number, as the job's own output pattern is.
 */
final class FrameDownloads {
  private FrameDownloads() {
  }

  /**
   * The FRAME events of {@code events} (oldest first) by frame number, each number's newest first: a retry's frames
   * come after the earlier attempt's, and a forged event is passed over for an older one that is the job's.
   */
  static Map<Integer, List<JobEvent.Frame>> byNumber(List<JobEvent> events) {
    Map<Integer, List<JobEvent.Frame>> out = new LinkedHashMap<>();
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i) instanceof JobEvent.Frame f) {
        out.computeIfAbsent(f.frame(), n -> new ArrayList<>()).add(f);
      }
    }
    return out;
  }

  /**
   * Saves the frames of animation {@code c} ({@code events}: the job's, oldest first) to {@code pattern}, showing
   * progress; returns how many were written.
   *
   * @throws Main.UsageException if {@code pattern}'s file name has no {@code #} run for the frame number
   * @throws Main.JobsFailedException if the events name fewer frames than the animation has
   * @throws JobRunner.OutputRefusedException if no FRAME event of a frame names an object that is the job's
   */
  static int save(Farm farm, JobEvent.Completed c, List<JobEvent> events, Path pattern, Progress progress)
      throws IOException, Main.UsageException, Main.JobsFailedException, JobRunner.OutputRefusedException {
    S3Uri local = new S3Uri("local", pattern.getFileName().toString());
    if (!local.key().contains("#")) {
      throw new Main.UsageException("-o " + pattern + ": job " + c.jobId() + " is an animation of " + c.frames()
          + " frames; give a file name with a '#' run for the frame number, e.g. "
          + pattern.resolveSibling("frame-####.png"));
    }
    Map<Integer, List<JobEvent.Frame>> frames = byNumber(events);
    if (frames.isEmpty() && c.video() != null) {
      throw new Main.JobsFailedException("job " + c.jobId() + " made no frames of its own (a video job encodes"
          + " another job's); --video saves its video");
    }
    if (frames.size() < c.frames()) {
      throw new Main.JobsFailedException("job " + c.jobId() + " completed " + c.frames()
          + " frames, but its events name only " + frames.size() + " of them");
    }
    List<Integer> numbers = new ArrayList<>(frames.keySet());
    numbers.sort(null);
    int done = 0;
    for (int number : numbers) {
      Path file = pattern.resolveSibling(JobRequest.Frames.outputOf(local, number).key());
      saveFrame(farm, c.jobId(), frames.get(number), file);
      progress.bar(++done, numbers.size(), c.jobId() + " frames");
    }
    progress.clearBar();
    return done;
  }

  /** Saves the newest of a frame's events whose object is the job's; refuses only if none is. */
  private static void saveFrame(Farm farm, String jobId, List<JobEvent.Frame> candidates, Path file)
      throws IOException, JobRunner.OutputRefusedException {
    JobRunner.OutputRefusedException refused = null;
    for (JobEvent.Frame f : candidates) {
      try {
        JobRunner.download(farm.blobs(), farm.settings().limits().outputLocations(), jobId, f.output(), f.sha256(),
            file);
        return;
      } catch (JobRunner.OutputRefusedException notOurs) {
        refused = refused == null ? notOurs : refused;
      }
    }
    throw refused;
  }
}
