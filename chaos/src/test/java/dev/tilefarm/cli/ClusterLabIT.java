package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded cluster lab of CI: {@code tilefarm lab} with a fixed seed and a short nemesis (about 6 minutes in
 * all): three brokers, S3 behind the fault proxy, two splitters, two compositors, three workers and an API, each its
 * own process; kills, freezes, partitions (where network namespaces can be made) and S3 faults during a mixed
 * workload. The lab's checker must find nothing lost, duplicated or wrong; a longer soak is
 * {@code tilefarm lab --duration SECONDS}.
 *
 * <p>Not yet part of the default {@code ./mvnw verify}: the lab still finds tile objects left behind after its
 * faults and takes about 14 minutes on a 2-core machine, over CI's 10-minute budget for it. Run it with
 * {@code ./mvnw verify -pl chaos -am -Dlab=true -Dit.test=ClusterLabIT -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "lab", matches = "true",
    disabledReason = "the bounded cluster lab runs with -Dlab=true (README, Reliability)")
class ClusterLabIT {
  @TempDir
  Path dir;

  @Test
  void aBoundedLabLosesNothingAndGetsEveryPixelRight() throws Exception {
    Path report = dir.resolve("report.md");
    int exit = Main.commandLine().execute("lab", "--seed", "11", "--duration", "150", "--job-interval", "8",
        "--partition-seconds", "50", "--s3-down-seconds", "60", "--dir", dir.resolve("lab").toString(), "--report",
        report.toString());
    String table = Files.exists(report) ? Files.readString(report) : "(no report)";
    assertEquals(0, exit, "the lab's checker found a problem:\n" + table);
    // The totals row: lost, duplicate terminal events, wrong outputs, tile objects left.
    assertTrue(table.contains("| 0 | 0 | 0 | 0 |"), table);
  }
}
