package dev.tilefarm.bench.pipeline;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the bench starts goes through here, so that none outlives it. On Ctrl-C or SIGTERM a shutdown hook
 * stops those still running; against SIGKILL, which runs no hook, each {@code tilefarm} process is told the bench's
 * pid in {@code TILEFARM_EXIT_WITH_PARENT} and ends itself once the bench has ended (producer-cli's
 * {@code ExitWithParent}; the Embree program asks Linux for a signal when its parent dies).
 */
final class BenchProcesses {
  /** The variable a {@code tilefarm} process follows its parent by (producer-cli's {@code ExitWithParent}). */
  static final String EXIT_WITH_PARENT = "TILEFARM_EXIT_WITH_PARENT";
  /** How long the hook lets them stop cleanly (a worker settling its tiles) before it kills them. */
  private static final long STOP_SECONDS = 10;
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(List.copyOf(RUNNING)), "bench-stop-processes"));
  }

  private BenchProcesses() {
  }

  /** Starts {@code builder}'s process, to be stopped with the bench if it still runs then. */
  static Process start(ProcessBuilder builder) throws IOException {
    builder.environment().put(EXIT_WITH_PARENT, String.valueOf(ProcessHandle.current().pid()));
    Process p = builder.start();
    RUNNING.add(p);
    p.onExit().thenRun(() -> RUNNING.remove(p));
    return p;
  }

  /** Stops them with SIGTERM, forcibly after {@link #STOP_SECONDS} for all together. */
  private static void stop(List<Process> processes) {
    processes.forEach(Process::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
    for (Process p : processes) {
      try {
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }
}
