package dev.tilefarm.cli;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "A benchmark of endurance: submit many small jobs in a row, in batches, and report how many "
        + "completed, failed or were lost (no end), the rate, and this process's heap after each batch (with an "
        + "embedded farm every role runs in this process, so the heap line shows whether memory stays flat). "
        + "Exits 1 if any job was lost or failed.")
final class SoakCommand extends FarmCommand {
  @Option(names = "--jobs", paramLabel = "N", defaultValue = "2000",
      description = "jobs in all (default ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "100",
      description = "jobs submitted before waiting for their ends (default ${DEFAULT-VALUE})")
  int batch;

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || batch < 1) {
      throw new Main.UsageException("--jobs and --batch must be at least 1");
    }
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 2, progress)) {
      Soak.Report r = Soak.run(running, jobs, batch, Duration.ofMinutes(5), progress);
      System.out.printf("jobs %d  completed %d  failed %d  lost %d  in %.1f s (%.1f jobs/s)%n", r.jobs(),
          r.completed(), r.failed(), r.lost(), r.millis() / 1000.0, r.jobs() * 1000.0 / Math.max(1, r.millis()));
      System.out.println("heap MiB after each batch: " + r.heapMiB() + " (growth after warm-up: "
          + r.heapGrowthMiB() + " MiB)");
      return r.lost() == 0 && r.failed() == 0 ? 0 : Main.ExitCodes.JOB_FAILED;
    }
  }
}
