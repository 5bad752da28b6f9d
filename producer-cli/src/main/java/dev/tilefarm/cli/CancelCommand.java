package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel a job: its pending tiles are skipped, tiles being made are abandoned, no output is "
        + "written, and it ends with a CANCELLED event. A job that has already ended is not affected. Waits for "
        + "the job's end and prints it; exits 0 if the job ended CANCELLED, 1 if it had ended otherwise.")
final class CancelCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Parameters(index = "0", paramLabel = "JOB_ID")
  String jobId;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why, repeated in the CANCELLED event")
  String reason;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "how long to wait for the job's end (default ${DEFAULT-VALUE}; 0 = do not wait)")
  long timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 1, progress); JobClient client = new JobClient(running.settings())) {
      var from = client.eventPositions();
      client.cancel(jobId, reason);
      progress.note("asked to cancel job " + jobId);
      if (timeoutSeconds == 0) {
        return 0;
      }
      // The id is the user's: read its partition from the start, so a job that ended before is answered too.
      Map<String, JobEvent> ends = client.await(List.of(jobId), Set.of(jobId), from,
          Duration.ofSeconds(timeoutSeconds), e -> { });
      JobEvent end = ends.get(jobId);
      System.out.println(JobRunner.describe(end));
      return end instanceof JobEvent.Cancelled ? 0 : Main.ExitCodes.JOB_FAILED;
    }
  }
}
