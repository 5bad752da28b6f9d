package dev.tilefarm.cli;

import dev.tilefarm.compositor.Compositor;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "compositor", mixinStandardHelpOptions = true,
    description = "Run the compositor against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "Its Kafka Streams state and assembly files are kept under DATA_DIR/compositor-state.")
final class CompositorCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Override
  public Integer call() throws Exception {
    Settings settings = RoleProcess.cluster(farm.settings(), "compositor");
    try (Farm connected = Farm.connect(settings)) {
      Compositor compositor = Farm.startCompositor(settings, connected.blobs(),
          settings.dataDir().resolve("compositor-state"));
      try {
        compositor.awaitRunning(Duration.ofMinutes(2));
      } catch (Exception e) {
        compositor.close();
        throw e;
      }
      RoleProcess.runUntilStopped(compositor, "compositor on " + settings.bootstrapServers(),
          compositor::failure);
    }
    return 0;
  }
}
