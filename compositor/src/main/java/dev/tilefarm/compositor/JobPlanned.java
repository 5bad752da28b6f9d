package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import java.util.Objects;

/**
 * An accepted job none of whose tiles is in yet, as the splitter announced it. Kept so that a job whose
 * tiles never come back (every worker refuses them, or they were lost) still ends, at its deadline or when
 * it has made no progress for too long.
 *
 * @param deadline epoch ms when its time limit runs out, or 0 for none
 */
record JobPlanned(int tileCount, int width, int height, S3Uri output, long acceptedAt, long deadline)
    implements JobState {
  JobPlanned {
    Objects.requireNonNull(output, "output");
  }
}
