package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "retry", mixinStandardHelpOptions = true,
    description = "Run a FAILED or CANCELLED job again under its id, as its next attempt: only the tiles it lacks are "
        + "made (its done tiles are kept for compositor.retry-retention-ms, 3 days by default). Prints the new "
        + "attempt's ACCEPTED (or WAITING, for a job after others); with --wait, waits for its end and exits as "
        + "render does. A job that is not FAILED or CANCELLED is an error (exit 1), and the farm answers a retry "
        + "record for one with RETRY_REFUSED.")
final class RetryCommand extends JobCommand {
  @Option(names = "--wait", description = "wait for the new attempt's end")
  boolean await;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "how long to wait for the farm's answer, or with --wait for the end (default ${DEFAULT-VALUE}; "
          + "0 = no limit)")
  long timeoutSeconds;

  @Override
  int run(Farm running, JobClient client, Progress progress) throws Exception {
    JobStates.JobState state = JobStates.of(client.history(jobId));
    if (state == null) {
      throw new Main.JobsFailedException("no job " + jobId + " on this farm: it has no events (mistyped?); nothing "
          + "was retried");
    }
    if (state.status() != JobStatus.FAILED && state.status() != JobStatus.CANCELLED) {
      throw new Main.JobsFailedException("job " + jobId + " is " + state.status() + "; only a FAILED or CANCELLED "
          + "job can be retried");
    }
    var from = client.eventPositions();
    client.retry(jobId);
    progress.note("asked to retry job " + jobId);
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    Map<String, JobEvent> answer = client.await(List.of(jobId), Set.of(), from, timeout, e -> { },
        e -> e.terminal() || e instanceof JobEvent.RetryRefused || e instanceof JobEvent.Accepted
            || e instanceof JobEvent.Waiting);
    JobEvent first = answer.get(jobId);
    System.out.println(StatusCommand.line(first));
    if (first instanceof JobEvent.RetryRefused) {
      return Main.ExitCodes.JOB_FAILED;
    }
    if (first.terminal() || !await) {
      return first.terminal() && !(first instanceof JobEvent.Completed) ? Main.ExitCodes.JOB_FAILED : 0;
    }
    JobEvent end = client.await(List.of(jobId), Set.of(), from, timeout, e -> { }).get(jobId);
    System.out.println(JobRunner.describe(end));
    return end instanceof JobEvent.Completed ? 0 : Main.ExitCodes.JOB_FAILED;
  }
}
