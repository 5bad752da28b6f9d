package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = "List the farm's jobs, newest first: status (with the jobs a WAITING job waits for and a retry's "
        + "attempt), priority, progress (tiles finished), type, size and age "
        + "(since the job was accepted, or refused).%n"
        + "Read from the job events topic, so a job shows once the splitter has answered it.%n"
        + "Statuses: ACCEPTED (split, no tile finished yet), RUNNING, COMPLETED, FAILED, REJECTED, CANCELLED, "
        + "PAUSED (between its PAUSED and RESUMED events), WAITING (held until the jobs it is \"after\" complete).")
final class JobsCommand extends FarmCommand {
  @Option(names = "--status", paramLabel = "STATUS", description = "only jobs in this status; repeat it or give a "
      + "comma-separated list (any case). An unknown status is an error (exit 2) that lists the valid ones.")
  List<String> status = new ArrayList<>();

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
      description = "show at most N jobs, the newest (default ${DEFAULT-VALUE}; 0 = all)")
  int limit;

  @Option(names = "--json", description = "print one JSON object per job (id, status, type, width, height, done, "
      + "total, fraction, firstAt, lastAt, end, events, priority, waitingOn, attempt (absent on a first run), "
      + "paused; times in epoch ms)")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Set<JobStatus> statuses = JobStates.parseStatuses(status);
    if (limit < 0) {
      throw new Main.UsageException("--limit: must be 0 (all) or more, got " + limit);
    }
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 1, progress); JobClient client = new JobClient(running.settings())) {
      var all = client.states();
      List<JobStates.JobState> shown = JobStates.select(all, statuses, limit);
      if (json) {
        for (JobStates.JobState j : shown) {
          System.out.println(Json.MAPPER.writeValueAsString(j));
        }
        return 0;
      }
      if (shown.isEmpty()) {
        progress.note(all.isEmpty() ? "no jobs yet"
            : "no " + statuses.stream().map(Enum::name).collect(java.util.stream.Collectors.joining(" or ")) + " jobs");
        return 0;
      }
      System.out.print(JobStates.table(shown, System.currentTimeMillis()));
      long matching = JobStates.select(all, statuses, 0).size();
      if (matching > shown.size()) {
        progress.note("the newest " + shown.size() + " of " + matching + " jobs; --limit 0 shows all");
      }
      return 0;
    }
  }
}
