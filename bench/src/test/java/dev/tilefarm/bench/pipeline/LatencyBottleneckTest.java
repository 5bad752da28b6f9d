package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The latency note names the hop with the largest median when the one-tile job misses its aim. */
class LatencyBottleneckTest {
  private static BenchStats of(double... values) {
    BenchStats s = new BenchStats();
    for (double v : values) {
      s.add(v);
    }
    return s;
  }

  @Test
  void theSlowestHopAtTheMedianIsNamedAgainstTheWhole() {
    String note = LatencySection.bottleneck(104, of(20, 22, 24), of(30, 31, 90), of(35, 40, 45), of(5, 6, 7));
    assertEquals("the compositor hop (fetch of the result, assembly, transaction commit): p50 40 ms of the whole p50 "
        + "104 ms (aim p50 ≤ 60 ms)", note);
  }

  @Test
  void aHopWithoutFiguresIsPassedOver() {
    String note = LatencySection.bottleneck(80, of(50, 51, 52), new BenchStats(), new BenchStats(), of(5));
    assertEquals("the splitter hop (a job is visible downstream only after the splitter's transaction commits): p50 "
        + "51 ms of the whole p50 80 ms (aim p50 ≤ 60 ms)", note);
  }
}
