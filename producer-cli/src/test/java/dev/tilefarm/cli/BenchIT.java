package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's sections of issue 18 run at their smallest and write well-formed rows. No figure is checked: this
 * machine's speed is not the test's business.
 */
class BenchIT {
  @Test
  void theMatchingUnitsSwarmAndTracerSectionsWriteTheirRows(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("BENCHMARKS.md");
    Cli cli = Cli.run("bench", "--quick", "--runs", "1", "--sections", "throughput,swarm,tracer", "--out",
        out.toString());
    assertEquals(0, cli.code(), cli.stderr());
    String report = Files.readString(out);
    assertTrue(report.contains("Produced by `./tilefarm bench --quick --runs 1 --sections throughput,swarm,tracer`"),
        report);
    List<String> rows = report.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| figure")).toList();
    assertEquals(5, rows.size(), "throughput, three swarm sizes, tracer: " + rows);
    for (String row : rows) {
      assertEquals(6, row.split(" \\| ", -1).length, "five cells and the verdict: " + row);
      assertFalse(row.contains("n/a") || row.contains("NaN"), row);
    }
    assertTrue(rows.get(0).matches(".* tiles/s .*\\) = .* tasks and S3 objects/s .*\\) = .* Kafka records/s .*"),
        rows.get(0));
    assertTrue(rows.get(0).contains(" of raw ("), rows.get(0));
    assertFalse(report.contains("BENCH BUG"), "no rate above its physical limit: " + rows.get(0));
    for (String swarm : rows.subList(1, 4)) {
      assertTrue(swarm.matches(".* tiles settled/s; task → start p50 \\d+ ms, p99 \\d+ ms; CPU per tile: broker "
          + "[0-9.]+ ms, splitter [0-9.]+ ms, compositor [0-9.]+ ms .*"), swarm);
    }
    assertTrue(rows.get(4).contains("Embree"), rows.get(4));
  }
}
