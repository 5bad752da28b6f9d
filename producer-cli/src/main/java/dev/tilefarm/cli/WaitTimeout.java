package dev.tilefarm.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The {@code --timeout} of a command that can wait for a job's end ({@code get --wait}, {@code status --follow}). */
final class WaitTimeout {
  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
      description = "when waiting for the job's end, give up after this long (exit 4; default ${DEFAULT-VALUE} = never)")
  long seconds;

  /** The timeout (zero: none), checked before the command does anything. */
  Duration duration() throws Main.UsageException {
    if (seconds < 0) {
      throw new Main.UsageException("--timeout: must be 0 (never) or more, got " + seconds);
    }
    return Duration.ofSeconds(seconds);
  }
}
