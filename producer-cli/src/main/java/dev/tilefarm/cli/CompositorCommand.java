package dev.tilefarm.cli;

import dev.tilefarm.compositor.Compositor;
import picocli.CommandLine.Command;

@Command(name = "compositor", mixinStandardHelpOptions = true,
    description = "Run the compositor against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "Its Kafka Streams state and assembly files are kept under DATA_DIR/compositor-state.")
final class CompositorCommand extends StreamsRoleCommand<Compositor> {
  CompositorCommand() {
    super(Farm::startCompositor, Compositor::awaitRunning, Compositor::failure);
  }
}
