package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SwarmBottleneckTest {
  private static final Map<String, Double> USED = new LinkedHashMap<>(Map.of("broker", 300.0, "workers", 100.0));

  private static final RunQueue.Reading QUEUE = new RunQueue.Reading(130, 2400);

  private static BenchStats waits() {
    BenchStats s = new BenchStats();
    s.add(10);
    s.add(30);
    return s;
  }

  @Test
  void aMachineBusyWithOtherProgramsIsNamedSo() {
    String b = SwarmSection.bottleneck(0.3, 1.0, 0.4, USED, waits(), QUEUE, 2);
    assertTrue(b.startsWith("the machine's CPU, taken mostly by other programs"), b);
    assertTrue(b.contains("by process: broker 75%, workers 25%"), b);
    assertTrue(b.contains("130 threads runnable on average (of 2,400) for 2 cores"), b);
  }

  @Test
  void aJobOfWhichNoTileStartedSaysSo() {
    String b = SwarmSection.bottleneck(0.9, 0.95, 0, USED, new BenchStats(), QUEUE, 2);
    assertTrue(b.startsWith("the machine's CPU, taken by the farm"), b);
    assertTrue(b.contains("no tile of the job started"), b);
  }

  @Test
  void aMachineBusyWithTheFarmIsTheFarmsCpu() {
    String b = SwarmSection.bottleneck(0.9, 0.95, 0.4, USED, waits(), QUEUE, 2);
    assertTrue(b.startsWith("the machine's CPU, taken by the farm"), b);
  }

  @Test
  void idleCoresAndIdleMembersAreTheHandOut() {
    String b = SwarmSection.bottleneck(0.3, 0.4, 0.5, USED, waits(), QUEUE, 2);
    assertTrue(b.startsWith("not CPU"), b);
    assertTrue(b.contains("p50 10 ms, p99 30 ms"), b);
    assertTrue(b.contains("the members were busy (sleeping in tiles) 50% of the time"), b);
  }
}
