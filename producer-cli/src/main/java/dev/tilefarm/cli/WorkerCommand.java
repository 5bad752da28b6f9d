package dev.tilefarm.cli;

import dev.tilefarm.worker.RenderWorker;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run one render worker against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "On SIGTERM it takes no new tiles, finishes those in hand (worker.shutdown-grace-ms) and releases the "
        + "rest to other workers. Start as many as you like, on as many machines.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Option(names = "--threads", paramLabel = "N", description = "tiles made at once (default: worker.threads)")
  Integer threads;

  @Option(names = "--id", paramLabel = "NAME", description = "the worker's name in results and logs "
      + "(default: worker-HOST-PID)")
  String id;

  @Override
  public Integer call() throws Exception {
    Settings settings = RoleProcess.cluster(farm.settings(), "worker");
    String name = id != null ? id : "worker-" + host() + "-" + ProcessHandle.current().pid();
    try (Farm connected = Farm.connect(settings)) {
      RenderWorker worker = Farm.startWorker(settings, connected.blobs(), name,
          threads != null ? threads : settings.workerThreads());
      RoleProcess.runUntilStopped(worker, "worker " + name + " on " + settings.bootstrapServers(), worker::failure);
    }
    return 0;
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
