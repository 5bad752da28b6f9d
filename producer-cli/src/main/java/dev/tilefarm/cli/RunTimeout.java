package dev.tilefarm.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --timeout} and {@code --detach} of a command that follows the jobs it submits to their ends
 * ({@code render}, {@code process}, {@code submit --wait}): on Ctrl-C or when the time is up, the jobs that have not
 * ended are cancelled, unless {@code --detach} leaves them running.
 */
final class RunTimeout {
  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0", converter = TimeoutSeconds.class,
      description = "give up waiting after this long (0 = never): each job not ended by then is cancelled, unless"
          + " --detach; exit 4")
  Duration limit;

  @Option(names = "--detach",
      description = "on Ctrl-C or --timeout, leave any job not ended running instead of cancelling it")
  boolean detach;
}
