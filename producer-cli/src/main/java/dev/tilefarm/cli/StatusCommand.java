package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a job's events so far and where it stands. Exits 1 if the job failed or is unknown.")
final class StatusCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Parameters(index = "0", paramLabel = "JOB_ID")
  String jobId;

  @Option(names = "--json", description = "print the events as JSON lines")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 1, progress); JobClient client = new JobClient(running.settings())) {
      List<JobEvent> events = client.history(jobId);
      if (events.isEmpty()) {
        throw new Main.JobsFailedException("no events for job " + jobId + " (unknown, or not picked up yet)");
      }
      for (JobEvent e : events) {
        if (json) {
          System.out.println(Json.MAPPER.writeValueAsString(e));
        } else {
          System.out.println(Instant.ofEpochMilli(e.timestamp()) + "  " + line(e));
        }
      }
      JobEvent last = events.get(events.size() - 1);
      return last instanceof JobEvent.Failed || last instanceof JobEvent.Rejected || last instanceof JobEvent.Cancelled
          ? Main.ExitCodes.JOB_FAILED : 0;
    }
  }

  static String line(JobEvent e) {
    if (e instanceof JobEvent.Accepted a) {
      return "ACCEPTED  " + a.type() + " " + a.width() + "x" + a.height() + " in " + a.tiles() + " tiles -> " + a.output();
    }
    if (e instanceof JobEvent.Progress p) {
      return "PROGRESS  " + p.done() + "/" + p.total() + " tiles";
    }
    return JobRunner.describe(e).substring(e.jobId().length() + 1);
  }
}
