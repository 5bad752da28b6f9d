package dev.tilefarm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Waiting for a role started as a process of its own to say, in its log, that it is ready. */
final class RoleLog {
  private RoleLog() {}

  /**
   * Waits until {@code log} holds the line the {@code command} prints once it works ({@code up}: "tilefarm is up",
   * a role: "ready: "), for at most 3 minutes; fails with the log if the process ends or the time runs out first.
   */
  static void awaitReady(String name, Process p, Path log, String command) throws Exception {
    String ready = command.equals("up") ? "tilefarm is up" : "ready: ";
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(ready)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " did not start:\n" + (Files.exists(log) ? Files.readString(log) : ""));
      }
      Thread.sleep(100);
    }
  }
}
