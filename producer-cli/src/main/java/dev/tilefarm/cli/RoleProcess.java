package dev.tilefarm.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Runs one role in this process until SIGTERM or Ctrl-C: the role is closed from the shutdown hook (so a
 * worker finishes or releases its tiles, a Streams role commits and leaves its group) and the JVM waits for
 * that before it exits. Prints one {@code ready} line on stdout once the role runs, for scripts and tests.
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

  /** Announces {@code what}, then blocks until the process is asked to stop, and closes {@code role}. */
  static void runUntilStopped(AutoCloseable role, String what) throws InterruptedException {
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
    try {
      stop.await();
    } finally {
      try {
        role.close();
      } catch (Exception e) {
        System.err.println("tilefarm: while stopping: " + e);
      }
      done.countDown();
    }
  }
}
