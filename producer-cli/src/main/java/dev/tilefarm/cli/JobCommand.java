package dev.tilefarm.cli;

import picocli.CommandLine.Parameters;

/**
 * A command about one job of the farm (its {@code JOB_ID}): the command line is checked first, then the farm is
 * opened (with one worker, if it is an embedded one) with a client of its job topics, for {@link #run}.
 */
abstract class JobCommand extends FarmCommand {
  @Parameters(index = "0", paramLabel = "JOB_ID")
  String jobId;

  @Override
  public final Integer call() throws Exception {
    check();
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 1, progress); JobClient client = new JobClient(running.settings())) {
      return run(running, client, progress);
    }
  }

  /** Checks the command line before the farm is opened; nothing to check by default. */
  void check() throws Main.UsageException {}

  /** Does the command's work; returns the exit code. */
  abstract int run(Farm farm, JobClient client, Progress progress) throws Exception;
}
