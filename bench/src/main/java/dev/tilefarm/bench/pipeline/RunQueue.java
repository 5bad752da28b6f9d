package dev.tilefarm.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many threads wanted a CPU while something ran: the runnable and total thread counts of Linux's
 * {@code /proc/loadavg}, sampled every {@value #SAMPLE_MS} ms on a thread of its own until {@link #stop}. More
 * runnable threads than cores means threads queued for a core; off Linux nothing is read.
 */
final class RunQueue {
  static final long SAMPLE_MS = 500;
  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread sampler;
  private long samples;
  private long runnable;
  private long threads;

  private RunQueue() {
    sampler = new Thread(this::sample, "bench-run-queue");
    sampler.setDaemon(true);
  }

  /** Starts sampling. */
  static RunQueue start() {
    RunQueue q = new RunQueue();
    q.sampler.start();
    return q;
  }

  /** The means of the samples taken: runnable threads (less this sampler) and all threads; NaN if none. */
  record Reading(double runnable, double threads) {
    /** Not sampled. */
    static final Reading UNKNOWN = new Reading(Double.NaN, Double.NaN);

    /** "41 threads runnable on average (of 2,400) for 2 cores", or "" when unknown. */
    String text(int cores) {
      return Double.isNaN(runnable) ? "" : String.format(Locale.ROOT,
          "%.0f threads runnable on average (of %,.0f) for %d cores", runnable, threads, cores);
    }
  }

  /** Stops sampling and returns the means. */
  Reading stop() throws InterruptedException {
    running.set(false);
    sampler.interrupt();
    sampler.join();
    return samples == 0 ? Reading.UNKNOWN
        : new Reading((double) runnable / samples, (double) threads / samples);
  }

  private void sample() {
    while (running.get()) {
      try {
        long[] rt = parse(Files.readString(LOADAVG));
        runnable += Math.max(0, rt[0] - 1); // the sampler itself is running as it reads
        threads += rt[1];
        samples++;
        Thread.sleep(SAMPLE_MS);
      } catch (IOException | RuntimeException | InterruptedException e) {
        return; // not Linux (no reading), or stopped
      }
    }
  }

  /** The runnable and total thread counts of a {@code /proc/loadavg} line ("0.52 0.58 0.59 3/467 12345"). */
  static long[] parse(String loadavg) {
    String[] f = loadavg.trim().split("\\s+");
    String[] rt = f[3].split("/");
    return new long[] {Long.parseLong(rt[0]), Long.parseLong(rt[1])};
  }
}
