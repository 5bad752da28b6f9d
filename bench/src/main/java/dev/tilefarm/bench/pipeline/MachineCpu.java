package dev.tilefarm.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPUs were between two readings of Linux's {@code /proc/stat}, whoever used them:
 * the bench's processes or anything else running beside them. Off Linux the figure is unknown (NaN).
 */
final class MachineCpu {
  private final long busy;
  private final long total;

  private MachineCpu(long busy, long total) {
    this.busy = busy;
    this.total = total;
  }

  /** Now. */
  static MachineCpu read() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0); // idle + iowait
      return new MachineCpu(total - idle, total);
    } catch (IOException | RuntimeException e) {
      return new MachineCpu(0, 0);
    }
  }

  /** The share of all CPU time from {@code before} to this reading that was busy, 0 to 1; NaN if unknown. */
  double busySince(MachineCpu before) {
    long dt = total - before.total;
    return dt <= 0 || before.total == 0 ? Double.NaN : (double) (busy - before.busy) / dt;
  }
}
