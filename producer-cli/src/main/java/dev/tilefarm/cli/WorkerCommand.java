package dev.tilefarm.cli;

import dev.tilefarm.worker.RenderWorker;
import dev.tilefarm.worker.WorkerProcess;
import dev.tilefarm.worker.WorkerRenderers;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

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

  @Option(names = "--renderers", paramLabel = "LIST", converter = RendererList.class, description = "the external "
      + "renderers this worker takes tiles of, comma-separated from povray, blender, ffmpeg, or none (default: "
      + "worker.renderers, unset = every one installed). builtin, mandelbrot, sleep and process jobs always come on "
      + "the shared lane. One turned off is treated as one not installed: no share-group lane, not in the worker's "
      + "status record; naming one that is not installed is an error")
  WorkerRenderers renderers;

  @Option(names = "--members", paramLabel = "N", defaultValue = "1", description = "for benchmarks: run N workers "
      + "in this one JVM, each its own share-group member of --threads threads, named NAME-0 .. NAME-(N-1), sharing "
      + "the process's producer, job watch and heartbeat thread "
      + "(default ${DEFAULT-VALUE}: one worker named NAME)")
  int members;

  @Override
  void run(Settings settings, Farm farm) throws Exception {
    if (members < 1 || members > 1000) {
      throw new Main.UsageException("--members: must be from 1 to 1000 (a share group's most members), got " + members);
    }
    if (renderers != null) {
      settings = settings.withWorkerRenderers(renderers);
    }
    String name = id != null ? id : "worker-" + host() + "-" + ProcessHandle.current().pid();
    int n = threads != null ? threads : settings.workerThreads();
    // One producer, job watch, heartbeat thread and set of meters for all the members, as one worker process of
    // many threads would have; each member is its own share-group member with its own render threads.
    WorkerProcess process = Farm.startWorkerProcess(settings, farm.blobs(), name, n);
    try {
      for (int i = 0; i < members; i++) {
        RenderWorker.start(process, members == 1 ? name : name + "-" + i);
      }
    } catch (RuntimeException | Error e) {
      process.close();
      throw e;
    }
    RoleProcess.runUntilStopped(process, members == 1 ? "worker " + name + " on " + settings.bootstrapServers()
        : members + " workers " + name + "-0.." + (members - 1) + " on " + settings.bootstrapServers(),
        process::failure);
  }

  /** A {@code --renderers LIST} as picocli reads it: a bad name is refused with the command line (exit 2). */
  static final class RendererList implements ITypeConverter<WorkerRenderers> {
    @Override
    public WorkerRenderers convert(String value) {
      try {
        return WorkerRenderers.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
