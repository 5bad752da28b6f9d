package dev.tilefarm.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --workers} of a command that runs jobs on an embedded farm when no other is there ({@code render},
 * {@code process}, {@code submit}).
 */
final class EmbeddedWorkersOption {
  @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
      description = "worker instances of an embedded farm (default ${DEFAULT-VALUE})")
  int count;
}
