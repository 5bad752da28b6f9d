package dev.tilefarm.cli;

import dev.tilefarm.compositor.Compositor;
import picocli.CommandLine.Command;

@Command(name = "compositor", mixinStandardHelpOptions = true,
    description = "Run the compositor against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "Its Kafka Streams state and assembly files are kept under DATA_DIR/compositor-state.")
final class CompositorCommand extends RoleCommand {
  @Override
  void run(Settings settings, Farm farm) throws Exception {
    Compositor compositor = Farm.startCompositor(settings, farm.blobs(),
        settings.dataDir().resolve("compositor-state"));
    RoleProcess.runWhenRunning(compositor, compositor::awaitRunning, "compositor on " + settings.bootstrapServers(),
        compositor::failure);
  }
}
