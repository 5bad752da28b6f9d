package dev.tilefarm.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println("ready: " + what);
    System.out.flush();
    String failed = null;
    try {
      while (!stop.await(CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
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
      done.countDown();
    }
    if (failed != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook has run or is running, and finds the role closed
      }
      throw new RoleFailedException("the " + what + " stopped working: " + failed);
    }
  }
}
