package dev.tilefarm.cli;

import dev.tilefarm.splitter.TileSplitter;
import picocli.CommandLine.Command;

@Command(name = "splitter", mixinStandardHelpOptions = true,
    description = "Run the tile splitter against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "Its Kafka Streams state is kept under DATA_DIR/splitter-state.")
final class SplitterCommand extends StreamsRoleCommand<TileSplitter> {
  SplitterCommand() {
    super(Farm::startSplitter, TileSplitter::awaitRunning, TileSplitter::failure);
  }
}
