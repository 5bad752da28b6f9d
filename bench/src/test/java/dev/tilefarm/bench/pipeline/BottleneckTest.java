package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How each section picks and names the bottleneck of an aim it did not reach, from measured figures. */
class BottleneckTest {
  private static Map<String, Double> map(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return m;
  }

  /** A span of {@code wallMs} in which this JVM used {@code byRole}'s sum and the machine was {@code machine} busy. */
  private static JvmCpu.Span span(double wallMs, double machine, Object... byRole) {
    Map<String, Double> m = map(byRole);
    return new JvmCpu.Span(wallMs, machine, m.values().stream().mapToDouble(Double::doubleValue).sum(), m);
  }

  @Test
  void sharesAreLargestFirstAndLargestIsTheFirstOfEquals() {
    assertEquals("broker 75%, worker 25%", Bottleneck.shares(map("worker", 100, "broker", 300)));
    assertEquals("f 40%, a 20%, b 10%, c 10%, d 10%, the rest 10%", Bottleneck.shares(map("a", 20, "b", 10, "c", 10,
        "d", 10, "e", 6, "f", 40, "g", 4)));
    assertEquals("b", Bottleneck.largest(map("a", 1, "b", 3, "c", 3)));
    assertEquals("a 1 ms, b 3 ms", Bottleneck.millis(map("a", 1.2, "b", 3)));
  }

  @Test
  void theMachinesCpuIsNamedWithWhoTookIt() {
    assertTrue(Bottleneck.cpu(0.98, 0.3, "m").orElseThrow().startsWith("the machine's CPU, taken mostly by other "
        + "programs"));
    assertTrue(Bottleneck.cpu(0.95, 0.9, "m").orElseThrow().startsWith("the machine's CPU, taken by the farm"));
    assertTrue(Bottleneck.cpu(Double.NaN, 0.9, "m").orElseThrow().startsWith("the machine's CPU, taken by the farm"));
    assertTrue(Bottleneck.cpu(0.5, 0.45, "m").isEmpty());
  }

  @Test
  void overheadNamesTheLargestPartOfTheExtraTime() {
    // 2 threads; direct 1000 ms; the job 1600 ms, its tiles 2 x 1100 ms of render, assembly 50 ms: the render
    // threads stood idle 450 ms, slower renders 100 ms.
    String idle = OverheadSection.bottleneck(1600, 1000, 2, new JobEvent.Timings(1500, 2200, 50),
        span(1600, 0.6, JvmCpu.RENDER, 1500, "broker", 200), 2000, 2);
    assertTrue(idle.startsWith("the farm's hand-offs, render threads idle"), idle);
    assertTrue(idle.contains("of the last run's 600 ms beyond the direct render's 1000 ms"), idle);
    assertTrue(idle.contains("render threads idle (before the first tile, between tiles, after the last) 450 ms"), idle);
    // Tiles of 2 x 1500 ms on cores the farm keeps busy: slower renders, the farm's roles' CPU beside them.
    String slower = OverheadSection.bottleneck(1600, 1000, 2, new JobEvent.Timings(1500, 3000, 20),
        span(1600, 0.97, JvmCpu.RENDER, 2600, "broker", 300, JvmCpu.S3, 100), 2000, 2);
    assertTrue(slower.startsWith("the machine's CPU, taken by the farm's own roles beside the renderer"), slower);
    assertTrue(slower.contains("the render threads used 2600 ms of CPU and the farm's other roles 400 ms"), slower);
    // The same with the machine busy and this JVM using a third of it: other programs.
    String others = OverheadSection.bottleneck(1600, 1000, 2, new JobEvent.Timings(1500, 3000, 20),
        span(1600, 0.97, JvmCpu.RENDER, 900, "broker", 100), 2000, 2);
    assertTrue(others.startsWith("the machine's CPU, taken mostly by other programs (this run was not on a quiet "
        + "machine); of the farm's own parts the largest was slower renders: of the last run's 600 ms"), others);
  }

  @Test
  void throughputNamesTheBindingUnitAndTheBusiestRole() {
    PhysicalLimit s3 = new PhysicalLimit("S3 objects/s", 120, 800);
    PhysicalLimit kafka = new PhysicalLimit("Kafka records/s", 7700, 20800);
    String cpu = ThroughputSection.bottleneck(s3, kafka, span(1000, 0.99, JvmCpu.JVM, 950, "broker", 900, JvmCpu.S3,
        700, JvmCpu.WORKER, 300), 2);
    assertTrue(cpu.startsWith("the machine's CPU, taken by the farm, most by the broker"), cpu);
    assertTrue(cpu.contains("the binding unit is S3 objects/s at 0.15 of raw (Kafka records/s at 0.37)"), cpu);
    String pace = ThroughputSection.bottleneck(s3, kafka, span(1000, 0.4, "broker", 300, JvmCpu.S3, 200), 2);
    assertTrue(pace.startsWith("not CPU: the farm's pace"), pace);
    assertTrue(pace.contains("the busiest role: the broker"), pace);
  }

  @Test
  void costNamesTheCostliestRoleAndItsTopFrames() {
    String b = CostSection.bottleneck(map("broker", 3.1, "S3 server", 1.2, "worker", 6.4),
        Map.of("worker", List.of("31% Deflater.deflateBytesBytes", "9% Json.write")), 0.8, 0.7, 2);
    assertTrue(b.startsWith("the worker's CPU, 6.40 of the 10.70 ms per tile"), b);
    assertTrue(b.contains("by process: worker 60%, broker 29%, S3 server 11%); its top"), b);
    assertTrue(b.endsWith("during the last job the machine's 2 cores were 80% busy, the farm's processes 70%"), b);
    assertTrue(b.contains("its top frames (JFR): 31% Deflater.deflateBytesBytes, 9% Json.write"), b);
    assertTrue(!b.contains("other programs"), b);
    String busy = CostSection.bottleneck(map("broker", 3.1, "worker", 6.4), Map.of(), 0.99, 0.3, 2);
    assertTrue(busy.contains("no samples") && busy.endsWith("(other programs had most of the machine: this run was "
        + "not on a quiet machine)"), busy);
  }

  @Test
  void scalingOnARenderIsTheMachinesCpuOrTheHandOut() {
    ScalingSection.Run cpuBound = new ScalingSection.Run(10_000, span(10_000, 0.99, "broker", 3000), 15_000);
    String b = ScalingSection.cpuBottleneck(cpuBound, 2);
    assertTrue(b.startsWith("the machine's CPU, taken by the farm"), b);
    assertTrue(b.contains("by process: worker processes 83%, the bench's JVM (broker, S3 server, splitter, "
        + "compositor) 17%"), b);
    ScalingSection.Run idle = new ScalingSection.Run(10_000, span(10_000, 0.5, "broker", 2000), 6000);
    assertTrue(ScalingSection.cpuBottleneck(idle, 2).startsWith("not CPU, cores to spare"));
  }

  @Test
  void processingNamesTheLargestPartOfTheFarmsTime() {
    String b = ProcessingSection.bottleneck(4000, 1000, 2, new JobEvent.Timings(3900, 1200, 1800),
        span(4000, 0.7, "compositor", 2500, JvmCpu.RENDER, 1500), 2);
    assertTrue(b.startsWith("the compositor's final assembly"), b);
    assertTrue(b.contains("of the last farm run's 4000 ms (OpenCV: 1000 ms for all): final assembly 1800 ms, last "
        + "pass's tiles (worker time per thread) 600 ms, first pass, label join and hand-offs 1600 ms"), b);
  }

  @Test
  void startUpIsComputeOrWaiting() {
    String compute = StartupSection.bottleneck(new StartupSection.Probe(2800, 3400, 5100, 14_000, 2100, 80, 0.8), 2);
    assertTrue(compute.startsWith("CPU: a cold start is compute"), compute);
    assertTrue(compute.contains("used 5100 ms of CPU in its 3400 ms to every role running (1.5 of 2 cores busy on "
        + "average), loading 14,000 classes"), compute);
    String waiting = StartupSection.bottleneck(new StartupSection.Probe(2800, 3400, 1200, 14_000, 600, 20, 0.3), 2);
    assertTrue(waiting.startsWith("waiting more than computing"), waiting);
    String others = StartupSection.bottleneck(new StartupSection.Probe(2800, 3400, 1200, 14_000, 600, 20, 0.99), 2);
    assertTrue(others.startsWith("the machine's CPU, taken mostly by other programs"), others);
  }

  @Test
  void memoryIsWhatTheCompositorHoldsBeyondItsHeap() {
    String b = MemorySection.bottleneck(700_000_000L, 300_000_000L, 500_000_000L, 120_000_000L);
    assertTrue(b.startsWith("the compositor's memory outside its Java heap"), b);
    assertTrue(b.contains("peak resident 700 MB with a 256 MB heap limit, so at least 444 MB outside the Java heap"), b);
    String mapped = MemorySection.bottleneck(700_000_000L, 300_000_000L, 200_000_000L, 400_000_000L);
    assertTrue(mapped.startsWith("the compositor's mapped files"), mapped);
  }
}
