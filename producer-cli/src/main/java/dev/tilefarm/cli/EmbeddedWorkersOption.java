package dev.tilefarm.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --workers} of a command that runs an embedded farm, or runs jobs on one when no other is there
 * ({@code render}, {@code process}, {@code submit}, {@code up}; {@code demo}'s default is 2).
 */
final class EmbeddedWorkersOption {
  // No defaultValue: the field's value when picocli meets it is the default, and the help shows it.
  @Option(names = "--workers", paramLabel = "N",
      description = "worker instances of an embedded farm (default ${DEFAULT-VALUE})")
  int count;

  /** One worker by default: how picocli makes the mixin of a command that declares none. */
  EmbeddedWorkersOption() {
    this(1);
  }

  /** {@code count} workers by default. */
  EmbeddedWorkersOption(int count) {
    this.count = count;
  }
}
