package dev.tilefarm.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The {@code --timeout} of a command that can wait for a job's end ({@code get --wait}, {@code status --follow}). */
final class WaitTimeout {
  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0", converter = TimeoutSeconds.class,
      description = "when waiting for the job's end, give up after this long "
          + "(exit 4; default ${DEFAULT-VALUE} = never)")
  Duration limit;
}
