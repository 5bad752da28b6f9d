package dev.tilefarm.splitter;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileTask;
import java.util.List;

/**
 * Everything the splitter does for an accepted job, in order: store the job {@code specs} (a job too large to
 * ride in its tasks, or one whose later passes the compositor plans from it), tell the compositor the plan
 * ({@code planned}), publish the {@code tasks} (every tile, pack or first-pass tile of the job), and announce
 * it ({@code accepted}). {@code summary} describes it for the log.
 */
record Plan(JobRequest job, Layout layout, List<Spec> specs, JobControl.Planned planned, List<TileTask> tasks,
    JobEvent.Accepted accepted, String summary) {
  Plan {
    specs = List.copyOf(specs);
    tasks = List.copyOf(tasks);
  }

  /** A job request as accepted (UTF-8 JSON), to be stored at {@code uri} for the workers and the compositor. */
  record Spec(S3Uri uri, byte[] json) {}
}
