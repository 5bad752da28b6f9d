package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import java.util.Objects;

/**
 * An accepted job none of whose tiles is in yet, as the splitter announced it. Kept so that a job whose
 * tiles never come back (every worker refuses them, or they were lost) still ends, at its deadline or when
 * it has made no progress for too long.
 *
 * @param deadline epoch ms when its time limit runs out, or 0 for none
 * @param lastProgressAt when its last PROGRESS event went out (in-tile progress of external renderers), or
 *     {@link JobProgress#NEVER}
 * @param reported the fraction of its last PROGRESS event, below which later ones never go
 */
record JobPlanned(int tileCount, int width, int height, S3Uri output, long acceptedAt, long deadline,
    long lastProgressAt, double reported, dev.tilefarm.schemas.JobControl.VideoPlan video) implements JobState {
  JobPlanned {
    Objects.requireNonNull(output, "output");
  }

  /** Without a video. */
  JobPlanned(int tileCount, int width, int height, S3Uri output, long acceptedAt, long deadline,
      long lastProgressAt, double reported) {
    this(tileCount, width, height, output, acceptedAt, deadline, lastProgressAt, reported, null);
  }

  /** No PROGRESS published yet. */
  JobPlanned(int tileCount, int width, int height, S3Uri output, long acceptedAt, long deadline) {
    this(tileCount, width, height, output, acceptedAt, deadline, JobProgress.NEVER, 0);
  }

  JobPlanned withProgress(long at, double fraction) {
    return new JobPlanned(tileCount, width, height, output, acceptedAt, deadline, at, fraction, video);
  }

  JobPlanned withVideo(dev.tilefarm.schemas.JobControl.VideoPlan plan) {
    return new JobPlanned(tileCount, width, height, output, acceptedAt, deadline, lastProgressAt, reported, plan);
  }
}
