package dev.tilefarm.compositor;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import java.util.Objects;

/**
 * An animation whose frames are all in and assembled, waiting for its video ({@code video}), which a worker with
 * ffmpeg encodes from them: {@code completed} is its COMPLETED event but for the video, published with it when
 * the worker reports it ENCODED.
 *
 * @param since when the job's time started (accepted, or its first tile seen), for the total time
 * @param startedAt when the video task was sent, from which the stall timeout runs
 * @param deadline epoch ms when its time limit runs out, or 0 for none
 */
record JobEncoding(JobEvent.Completed completed, S3Uri video, long since, long startedAt, long deadline)
    implements JobState {
  JobEncoding {
    Objects.requireNonNull(completed, "completed");
    Objects.requireNonNull(video, "video");
  }
}
