package dev.tilefarm.cli;

import dev.tilefarm.splitter.TileSplitter;
import picocli.CommandLine.Command;

@Command(name = "splitter", mixinStandardHelpOptions = true,
    description = "Run the tile splitter against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "Its Kafka Streams state is kept under DATA_DIR/splitter-state.")
final class SplitterCommand extends RoleCommand {
  @Override
  void run(Settings settings, Farm farm) throws Exception {
    TileSplitter splitter = Farm.startSplitter(settings, farm.blobs(), settings.dataDir().resolve("splitter-state"));
    RoleProcess.runWhenRunning(splitter, splitter::awaitRunning, "splitter on " + settings.bootstrapServers(),
        splitter::failure);
  }
}
