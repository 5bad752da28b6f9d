package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded cluster lab of CI, part of every {@code ./mvnw verify}: {@code tilefarm lab} with a fixed seed and a
 * short nemesis (about 6 minutes in all, at most 10): three brokers, S3 behind the fault proxy, two splitters, two
 * compositors, three workers and an API, each its own process; kills, freezes, partitions (in network namespaces
 * where the build runs as root, else every role on loopback ports and no partitions) and S3 faults during a mixed
 * workload. The lab's checker must find nothing lost, duplicated or wrong, no tile object left behind, every dead
 * letter explained and every fault observed.
 *
 * <p>A longer soak is the same lab with {@code -Dlab.soak=SECONDS} of faults (no time limit then), or {@code
 * tilefarm lab --duration SECONDS}.
 */
class ClusterLabIT {
  /** The bounded lab's seed and nemesis time; the soak's time comes from {@code -Dlab.soak}. */
  static final long SEED = 11;
  static final int BOUNDED_SECONDS = 150;

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aBoundedLabLosesNothingAndGetsEveryPixelRight() throws Exception {
    assumeTrue(System.getProperty("lab.soak") == null, "-Dlab.soak runs the soak instead");
    lab(BOUNDED_SECONDS);
  }

  @Test
  void aSoakLosesNothingEither() throws Exception {
    String soak = System.getProperty("lab.soak");
    assumeTrue(soak != null, "the soak runs with -Dlab.soak=SECONDS (README, Reliability)");
    lab(Integer.parseInt(soak));
  }

  private void lab(int seconds) throws Exception {
    // It signals role processes (kill -9, -STOP, -CONT) and reads their state in /proc: Linux only.
    assumeTrue(Files.isDirectory(Path.of("/proc/self")) && (Files.isExecutable(Path.of("/bin/kill"))
        || Files.isExecutable(Path.of("/usr/bin/kill"))), "the lab needs Linux's /proc and kill");
    Path report = dir.resolve("report.md");
    List<String> args = new ArrayList<>(List.of("lab", "--seed", Long.toString(SEED), "--duration",
        Integer.toString(seconds), "--rounds", "0", "--job-interval", "8",
        "--partition-seconds", "50", "--s3-down-seconds", "60",
        "--dir", dir.resolve("lab").toString(), "--report", report.toString()));
    int exit = Main.commandLine().execute(args.toArray(String[]::new));
    String table = Files.exists(report) ? Files.readString(report) : "(no report)";
    assertEquals(0, exit, "the lab's checker found a problem:\n" + table);
    // The totals row: lost, duplicate terminal events, wrong outputs, tile objects left.
    assertTrue(table.contains("| 0 | 0 | 0 | 0 |"), table);
  }
}
