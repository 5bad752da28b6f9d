package dev.tilefarm.cli;

import java.util.function.Supplier;

/**
 * Runs one role in this process until SIGTERM or Ctrl-C: the role is closed from the shutdown hook (so a
 * worker finishes or releases its tiles, a Streams role commits and leaves its group) and the JVM waits for
 * that before it exits. Prints one {@code ready} line on stdout once the role runs, for scripts and tests.
 * A role that stops working while it should run (its Kafka Streams client in ERROR, its poll loop ended) is
 * closed and the process exits with {@link Main.ExitCodes#ROLE_FAILED}, so that whatever supervises it (a
 * container runtime, systemd) restarts it or says so.
 */
final class RoleProcess {
  private RoleProcess() {}

  /** The cluster a role command runs against: the configured one, or a running 'tilefarm up'. */
  static Settings cluster(Settings settings, String role) {
    if (settings.clusterConfigured()) {
      return settings;
    }
    Settings running = Farm.runningUp(settings);
    if (running == null) {
      throw new Settings.ConfigException("'tilefarm " + role + "' needs a cluster (--bootstrap-server, "
          + "TILEFARM_BOOTSTRAP_SERVERS, and the S3 settings) or a running 'tilefarm up' on the same data directory");
    }
    return running;
  }

  /** A role that stopped working: the process exits with {@link Main.ExitCodes#ROLE_FAILED}. */
  static final class RoleFailedException extends Exception {
    RoleFailedException(String message) {
      super(message);
    }
  }

  /** How long a Kafka Streams role may take to start running. */
  static final java.time.Duration STREAMS_START = java.time.Duration.ofMinutes(2);

  /** Waits, up to a timeout, for a role to be running. */
  interface Startup {
    void awaitRunning(java.time.Duration timeout) throws Exception;
  }

  /**
   * Waits (up to {@link #STREAMS_START}) for a Kafka Streams role to be running, closing it if it does not get
   * there, then runs it until stopped ({@link #runUntilStopped}).
   */
  static void runWhenRunning(AutoCloseable role, Startup startup, String what, Supplier<String> failure)
      throws Exception {
    try {
      startup.awaitRunning(STREAMS_START);
    } catch (Exception e) {
      role.close();
      throw e;
    }
    runUntilStopped(role, what, failure);
  }

  /** How often a running role's state is looked at. */
  static final long CHECK_MILLIS = 1000;

  /**
   * Announces {@code what}, then blocks until the process is asked to stop, and closes {@code role}.
   *
   * @param failure why the role is not working, or null while it is
   * @throws RoleFailedException if the role stopped working first
   */
  static void runUntilStopped(AutoCloseable role, String what, Supplier<String> failure)
      throws InterruptedException, RoleFailedException {
    String failed = null;
    try (StopSignal stop = new StopSignal()) {
      stop.listen();
      System.out.println("ready: " + what);
      System.out.flush();
      try {
        while (!stop.await(CHECK_MILLIS)) {
          failed = failure.get();
          if (failed != null) {
            System.err.println("tilefarm: the " + what + " stopped working: " + failed);
            break;
          }
        }
      } finally {
        try {
          role.close();
        } catch (Exception e) {
          System.err.println("tilefarm: while stopping: " + e);
        }
      }
    }
    if (failed != null) {
      throw new RoleFailedException("the " + what + " stopped working: " + failed);
    }
  }
}
