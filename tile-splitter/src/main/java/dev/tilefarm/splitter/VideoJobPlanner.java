package dev.tilefarm.splitter;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobChangedException;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.JobLimits;
import java.util.List;

/**
 * The plan of a video job ({@link JobRequest.Encode}), free of Kafka: one video task for the ffmpeg lane, the same
 * task the compositor sends for an animation's own video ({@link TileTask.Work.Video}), and a PLANNED record whose
 * {@link JobControl.VideoPlan} counts the frames, so that the compositor waits for the video at once. The frames'
 * size is read from the first frame's header, which must exist.
 */
final class VideoJobPlanner {
  private final JobLimits limits;
  private final ImageProbe probe;
  private final String bucket;
  private final JobPlanner.Renderers renderers;

  VideoJobPlanner(JobLimits limits, ImageProbe probe, String bucket, JobPlanner.Renderers renderers) {
    this.limits = limits;
    this.probe = probe;
    this.bucket = bucket;
    this.renderers = renderers;
  }

  /** The video's default location: {@code s3://BUCKET/outputs/ID.mp4} (or {@code .mov}), the job's own. */
  static S3Uri defaultOutput(String bucket, JobRequest.Encode job) {
    return new S3Uri(bucket, "outputs/" + job.id() + "." + job.video().format());
  }

  /** The plan of {@code job} (its input and frames filled in), accepted at {@code now}. */
  Plan plan(JobRequest.Encode job, long now) {
    String id = job.id();
    if (job.input() == null) {
      throw new IllegalStateException("video job " + id + " is planned before its input job's frames are known");
    }
    limits.checkStorage(bucket, job);
    String noFfmpeg = renderers.missing(Renderer.FFMPEG);
    if (noFfmpeg != null) {
      throw new InvalidJobException(id, "video", noFfmpeg);
    }
    JobRequest.Frames frames = job.frames();
    ImageProbe.Size size = firstFrame(job);
    S3Uri video = job.output() != null ? job.output() : defaultOutput(bucket, job);
    Long deadline = job.deadline(now);
    JobControl.Planned planned = new JobControl.Planned(id, now, 1, size.width(), size.height(), job.input(),
        deadline, null, null, new JobControl.VideoPlan(job.video(), video, frames.start(), frames.step(),
        frames.count()));
    TileTask task = new TileTask(id, 1, size.width(), size.height(), job.input(), video, now, null, null, deadline,
        new TileTask.Work.Video(new TileRect(0, 0, 0, size.width(), size.height()), frames.start(), frames.step(),
            frames.count(), job.video()));
    JobEvent.Accepted accepted = new JobEvent.Accepted(id, now, job.type(), 1, size.width(), size.height(), video);
    String summary = "video of " + frames.count() + " " + size.width() + "x" + size.height() + " frames "
        + job.input() + " (" + frames.start() + ".." + frames.end() + " step " + frames.step() + ") -> " + video
        + " at " + job.video().fps() + " fps";
    return new Plan(job, null, List.of(), planned, List.of(task), accepted, summary);
  }

  /** The size of the first frame, the video's; every frame of an animation has it. */
  private ImageProbe.Size firstFrame(JobRequest.Encode job) {
    int number = job.frames().start();
    S3Uri first = JobRequest.Frames.outputOf(job.input(), number);
    try {
      ImageProbe.Size size = probe.probe(first);
      if (size.width() < 1 || size.height() < 1) {
        throw invalid(job, "frame " + number + " (" + first + ") has no pixels");
      }
      return size;
    } catch (BlobNotFoundException e) {
      throw invalid(job, "frame " + number + " (" + first + ") does not exist");
    } catch (BlobChangedException e) {
      throw invalid(job, "frame " + number + " (" + first + ") was replaced while its header was read; submit the "
          + "job again");
    } catch (ImageProbe.NotAnImageException e) {
      throw invalid(job, "frame " + number + " (" + first + ") " + e.getMessage());
    }
  }

  private static InvalidJobException invalid(JobRequest.Encode job, String reason) {
    return new InvalidJobException(job.id(), "input", reason);
  }
}
