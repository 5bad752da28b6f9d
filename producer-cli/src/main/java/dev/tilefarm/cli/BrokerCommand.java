package dev.tilefarm.cli;

import dev.tilefarm.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
    description = "Run one node (broker and controller) of a KRaft quorum of several, each its own process, until "
        + "SIGTERM or Ctrl-C: with three nodes, partitions have 3 copies and min.insync.replicas 2, Kafka's internal "
        + "topics too, so one node may die without stopping the farm. Its data is kept in DATA_DIR/kafka. "
        + "'tilefarm lab' starts three.")
final class BrokerCommand implements Callable<Integer> {
  @Option(names = "--node-id", paramLabel = "ID", required = true, description = "this node's id among the voters")
  int nodeId;

  @Option(names = "--voters", paramLabel = "ID@HOST:PORT,...", required = true,
      description = "the quorum: every node's id and controller address; this node listens on its own entry's")
  String voters;

  @Option(names = "--listen", paramLabel = "HOST:PORT", required = true,
      description = "the client listener, also advertised to clients")
  String listen;

  @Option(names = "--cluster-id", paramLabel = "ID", required = true,
      description = "the id every node's storage is formatted with (the same on all nodes; used on first start)")
  String clusterId;

  @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "this node's data")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    int colon = listen.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (RuntimeException e) {
      throw new Main.UsageException("--listen: '" + listen + "' is not HOST:PORT");
    }
    if (colon <= 0) {
      throw new Main.UsageException("--listen: '" + listen + "' is not HOST:PORT");
    }
    EmbeddedKafka.QuorumNode node;
    try {
      node = new EmbeddedKafka.QuorumNode(nodeId, listen.substring(0, colon), port, voters, clusterId);
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException("--" + e.getMessage().replaceFirst("^nodeId", "node-id")
          .replaceFirst("^brokerPort", "listen"));
    }
    EmbeddedKafka kafka = EmbeddedKafka.startNode(dataDir.resolve("kafka"), node);
    RoleProcess.runUntilStopped(kafka, "broker " + nodeId + " on " + kafka.bootstrapServers(), () -> null);
    return 0;
  }
}
