package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short soak: 400 small jobs in a row through the embedded farm, whose roles run in this JVM. None may be
 * lost or fail, and the heap after the last batch (after a GC) may not stand far above the warmed-up heap.
 * {@code tilefarm soak --jobs N} is the long version.
 */
class SoakIT {
  @TempDir
  Path dir;

  @Test
  void manySmallJobsInARowAllCompleteWithFlatMemory() throws Exception {
    try (TestFarm farm = TestFarm.start(dir, 2)) {
      Soak.Report r = Soak.run(farm.farm, 400, 50, Duration.ofMinutes(3), new Progress(System.err, false, true));
      System.out.printf("soak: %d jobs, %d completed, %d failed, %d lost in %d ms; heap MiB per batch %s%n",
          r.jobs(), r.completed(), r.failed(), r.lost(), r.millis(), r.heapMiB());
      assertEquals(0, r.lost(), "lost jobs");
      assertEquals(0, r.failed(), "failed jobs");
      assertEquals(400, r.completed());
      // A leak of even a few KiB per job would show; 64 MiB leaves room for caches that fill once.
      assertTrue(r.heapGrowthMiB() < 64, "heap grew " + r.heapGrowthMiB() + " MiB: " + r.heapMiB());
    }
  }
}
