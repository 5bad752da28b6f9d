package dev.tilefarm.cli;

import dev.tilefarm.worker.RenderWorker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run one render worker against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C. "
        + "On SIGTERM it takes no new tiles, finishes those in hand (worker.shutdown-grace-ms) and releases the "
        + "rest to other workers. Start as many as you like, on as many machines.")
final class WorkerCommand extends RoleCommand {
  @Option(names = "--threads", paramLabel = "N", description = "tiles made at once (default: worker.threads)")
  Integer threads;

  @Option(names = "--id", paramLabel = "NAME", description = "the worker's name in results and logs "
      + "(default: worker-HOST-PID)")
  String id;

  @Override
  void run(Settings settings, Farm farm) throws Exception {
    String name = id != null ? id : "worker-" + host() + "-" + ProcessHandle.current().pid();
    RenderWorker worker = Farm.startWorker(settings, farm.blobs(), name,
        threads != null ? threads : settings.workerThreads());
    RoleProcess.runUntilStopped(worker, "worker " + name + " on " + settings.bootstrapServers(), worker::failure);
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
