package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobSchedule;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * A schedule request about one job ({@code pause}, {@code resume}, {@code priority}): published on the jobs topic,
 * then the job's events are read until the splitter's answer comes, which is printed: PAUSED, RESUMED or PRIORITY
 * (exit 0), or SCHEDULE_REFUSED saying why the request changes nothing (the job has ended, is paused already, is
 * not paused...; exit 1). Exits 1 too if no answer came in time.
 */
abstract class ScheduleCommand extends JobCommand {
  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "how long to wait for the job's answer (default ${DEFAULT-VALUE}; 0 = do not wait)")
  long timeoutSeconds;

  /** The request to publish. */
  abstract JobSchedule request();

  /** Whether {@code e} is the answer to the request. */
  abstract boolean answers(JobEvent e);

  @Override
  int run(Farm running, JobClient client, Progress progress) throws Exception {
    if (!CancelCommand.known(client, jobId)) {
      throw new Main.JobsFailedException("no job " + jobId + " on this farm: it has no events and was never "
          + "submitted (mistyped?); nothing was sent");
    }
    int before = client.history(jobId).size();
    client.schedule(request());
    progress.note("asked: " + request());
    if (timeoutSeconds == 0) {
      return 0;
    }
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<JobEvent> events = client.history(jobId);
      for (JobEvent e : events.subList(Math.min(before, events.size()), events.size())) {
        if (answers(e)) {
          System.out.println(JobRunner.describe(e));
          return 0;
        }
        if (e.terminal() || e instanceof JobEvent.ScheduleRefused r
            && r.request().equals(JobEvent.ScheduleRefused.requestOf(request()))) {
          System.out.println(JobRunner.describe(e));
          return Main.ExitCodes.JOB_FAILED;
        }
      }
      Thread.sleep(200);
    }
    System.out.println(jobId + ": no answer in " + timeoutSeconds + " s (is the farm's splitter running?)");
    return Main.ExitCodes.JOB_FAILED;
  }

  /**
   * A request that names only its job, answered by one kind of event: {@code pause} (PAUSED), {@code resume}
   * (RESUMED).
   */
  abstract static class JobOnly extends ScheduleCommand {
    private final Function<String, JobSchedule> request;
    private final Class<? extends JobEvent> answer;

    JobOnly(Function<String, JobSchedule> request, Class<? extends JobEvent> answer) {
      this.request = request;
      this.answer = answer;
    }

    @Override
    final JobSchedule request() {
      return request.apply(jobId);
    }

    @Override
    final boolean answers(JobEvent e) {
      return answer.isInstance(e);
    }
  }
}
