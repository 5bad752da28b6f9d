package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = "Cancel a job: its pending tiles are skipped, tiles being made are abandoned, no output is "
        + "written, and it ends with a CANCELLED event. A job that has already ended is not affected. Waits for "
        + "the job's end and prints it; exits 0 if the job ended CANCELLED, 1 if it had ended otherwise or the farm "
        + "has never seen the id (see --before-arrival).")
final class CancelCommand extends JobCommand {
  @Option(names = "--reason", paramLabel = "TEXT", description = "why, repeated in the CANCELLED event")
  String reason;

  @Option(names = "--before-arrival",
      description = "cancel an id the farm has not seen yet: the job is cancelled as soon as it arrives, and the id "
          + "stays taken (without this, an unknown id is an error: most often a typo)")
  boolean beforeArrival;

  /** How long a cancel of an unknown id waits for a job that may be on its way before saying it is unknown. */
  static final Duration ARRIVAL_WAIT = Duration.ofSeconds(2);

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "how long to wait for the job's end (default ${DEFAULT-VALUE}; 0 = do not wait)")
  long timeoutSeconds;

  @Override
  int run(Farm running, JobClient client, Progress progress) throws Exception {
    if (!beforeArrival && !known(client, jobId)) {
      throw new Main.JobsFailedException("no job " + jobId + " on this farm: it has no events and was never "
          + "submitted (mistyped?); nothing was cancelled. To cancel a job before it is submitted, reserving its id,"
          + " give --before-arrival");
    }
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

  /**
   * Whether the farm has seen job {@code id}: an event of it, or the job itself on the jobs topic (submitted, not
   * yet accepted); asked again after {@link #ARRIVAL_WAIT}, for a job being submitted right now.
   */
  static boolean known(JobClient client, String id) throws InterruptedException {
    long deadline = System.nanoTime() + ARRIVAL_WAIT.toNanos();
    while (true) {
      if (!client.history(id).isEmpty() || client.submitted(id)) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(500);
    }
  }
}
