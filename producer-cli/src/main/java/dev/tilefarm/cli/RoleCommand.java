package dev.tilefarm.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that runs one role of the farm in this process against a cluster (or a running 'tilefarm up') until
 * SIGTERM or Ctrl-C: it finds the cluster, connects, and has the subclass start the role and run it
 * ({@link RoleProcess}).
 */
abstract class RoleCommand extends FarmCommand {
  @Spec
  CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    Settings settings = RoleProcess.cluster(farm.settings(), spec.name());
    try (Farm connected = Farm.connect(settings)) {
      run(settings, connected);
    }
    return 0;
  }

  /** Starts the role on {@code farm} and runs it until the process is asked to stop. */
  abstract void run(Settings settings, Farm farm) throws Exception;
}
