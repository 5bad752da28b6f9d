package dev.tilefarm.compositor;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The video of an animation, the compositor's part: when the last frame is assembled, the job waits
 * ({@link JobEncoding}) while one video task goes down the ffmpeg lane; the worker's ENCODED result completes it.
 */
final class VideoStep {
  private static final Logger log = LoggerFactory.getLogger(VideoStep.class);

  private VideoStep() {}

  /** Every frame is in: the video task, with the job held until it is encoded. */
  static JobAggregator.Step start(String jobId, JobProgress progress, JobEvent.Completed completed,
      JobEvent frameEvent, long since, long now) {
    JobControl.VideoPlan plan = progress.video;
    int frames = progress.tileCount / progress.frameTiles;
    TileTask task = new TileTask(jobId, 1, progress.width, progress.height, progress.output, plan.uri(),
        progress.acceptedAt, null, null, progress.deadline == 0 ? null : progress.deadline,
        new TileTask.Work.Video(new TileRect(0, 0, 0, progress.width, progress.height), plan.firstFrame(),
            plan.frameStep(), frames, plan.video()));
    log.info("all {} frames are in; encoding the {} video {} at {} fps", frames, plan.video().format(), plan.uri(),
        plan.video().fps());
    return new JobAggregator.Step(new JobEncoding(completed, plan.uri(), since, now, progress.deadline),
        List.of(frameEvent), false, List.of(task));
  }

  /**
   * A video job ({@link dev.tilefarm.schemas.JobRequest.Encode}) is planned: its video task went out with the plan,
   * so the job waits for the video at once, its COMPLETED (but for the video) describing the frames it encodes.
   */
  static JobAggregator.Step planned(String jobId, JobControl.Planned planned) {
    JobControl.VideoPlan plan = planned.video();
    long deadline = planned.deadline() == null ? 0 : planned.deadline();
    // bytes 0: the job stores nothing but its video, whose size ENCODED brings.
    JobEvent.Completed completed = new JobEvent.Completed(jobId, planned.acceptedAt(), planned.output(),
        ImageFormat.forExtension(planned.output().extension()).name(), null, 0, planned.width(), planned.height(),
        planned.tiles(), new JobEvent.Timings(0, 0, 0), plan.frames(), null, null);
    log.info("planned: a video of {} frames {} -> {} at {} fps", plan.frames(), planned.output(), plan.uri(),
        plan.video().fps());
    return new JobAggregator.Step(new JobEncoding(completed, plan.uri(), planned.acceptedAt(), planned.acceptedAt(),
        deadline), List.of(), false);
  }

  /** The video is stored: COMPLETED, naming it. */
  static JobAggregator.Step encoded(String jobId, JobEncoding encoding, TileResult.Encoded e, long now) {
    if (!e.video().equals(encoding.video())) {
      log.warn("ignoring a video at {}: the job's is {}", e.video(), encoding.video());
      return JobAggregator.Step.NOTHING;
    }
    JobEvent.Completed c = encoding.completed();
    JobEvent.Timings timings = new JobEvent.Timings(Math.max(0, now - encoding.since()), c.timings().render(),
        c.timings().assemble());
    // An animation's bytes are its frames' total; a video job (which stored no frames) reports its video's size.
    long bytes = c.bytes() > 0 ? c.bytes() : e.bytes();
    JobEvent.Completed completed = new JobEvent.Completed(jobId, now, c.output(), c.format(), c.sha256(), bytes,
        c.width(), c.height(), c.tiles(), timings, c.frames(), c.logs(), c.report(), e.video());
    log.info("completed: {} frames -> {}, video {} ({} bytes, encoded in {} ms)", c.frames(), c.output(), e.video(),
        e.bytes(), e.encodeMs());
    return new JobAggregator.Step(new JobEnded(JobEnded.Outcome.COMPLETED, now), List.of(completed), false);
  }
}
