package dev.tilefarm.cli;

import dev.tilefarm.splitter.TileSplitter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "splitter", mixinStandardHelpOptions = true,
    description = "Run the tile splitter against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "Its Kafka Streams state is kept under DATA_DIR/splitter-state.")
final class SplitterCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Override
  public Integer call() throws Exception {
    Settings settings = RoleProcess.cluster(farm.settings(), "splitter");
    try (Farm connected = Farm.connect(settings)) {
      TileSplitter splitter = Farm.startSplitter(settings, connected.blobs(),
          settings.dataDir().resolve("splitter-state"));
      try {
        splitter.awaitRunning(Duration.ofMinutes(2));
      } catch (Exception e) {
        splitter.close();
        throw e;
      }
      RoleProcess.runUntilStopped(splitter, "splitter on " + settings.bootstrapServers(), splitter::failure);
    }
    return 0;
  }
}
