package dev.tilefarm.cli;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code TILEFARM_EXIT_WITH_PARENT=PID}: the process ends, as on SIGTERM (its shutdown hooks run, so a role closes
 * cleanly), once process PID has ended. A program that starts {@code tilefarm} processes (the bench, the lab) sets
 * it to its own pid, so that they do not outlive it even when it is killed with SIGKILL and cannot stop them itself.
 * A process the variable names that has already ended ends this one at once.
 */
final class ExitWithParent {
  static final String VARIABLE = "TILEFARM_EXIT_WITH_PARENT";
  /** The status a JVM exits with on SIGTERM (128 + 15). */
  static final int SIGTERM_STATUS = 143;

  private ExitWithParent() {}

  /**
   * The process to follow, from {@code env}; none when the variable is unset or blank.
   *
   * @throws Settings.ConfigException naming the variable, if it is not a process id
   */
  static OptionalLong parent(Map<String, String> env) {
    String value = env.get(VARIABLE);
    if (value == null || value.isBlank()) {
      return OptionalLong.empty();
    }
    try {
      long pid = Long.parseLong(value.strip());
      if (pid > 0) {
        return OptionalLong.of(pid);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new Settings.ConfigException(VARIABLE + ": '" + value + "' is not a process id (a whole number above 0)");
  }

  /** If {@code env} names a process, ends this one as SIGTERM does once that process has ended. */
  static void watch(Map<String, String> env) {
    OptionalLong pid = parent(env);
    if (pid.isEmpty()) {
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(pid.getAsLong());
    Thread watcher = new Thread(() -> {
      parent.ifPresent(p -> p.onExit().join());
      System.err.println("tilefarm: process " + pid.getAsLong() + ", which started this one, has ended (" + VARIABLE
          + "); stopping");
      System.exit(SIGTERM_STATUS);
    }, "exit-with-parent");
    watcher.setDaemon(true);
    watcher.start();
  }
}
