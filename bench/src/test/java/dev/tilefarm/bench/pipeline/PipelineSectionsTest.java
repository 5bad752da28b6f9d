package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineSectionsTest {
  @Test
  void allInReportOrder() {
    assertEquals(List.of("startup", "overhead", "latency", "throughput", "cost", "swarm", "processing", "scaling",
        "memory", "tracer", "scheduling"),
        PipelineSections.names());
    assertEquals(PipelineSections.names(), PipelineSections.select(null).stream().map(Section::name).toList());
  }

  @Test
  void chosenOnesInReportOrderWhateverTheOrderGiven() {
    assertEquals(List.of("latency", "memory"),
        PipelineSections.select(List.of("memory", "latency")).stream().map(Section::name).toList());
  }

  @Test
  void anUnknownNameIsAnErrorListingTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> PipelineSections.select(List.of("latency", "latncy")));
    assertEquals("--sections: unknown section 'latncy'; the sections are startup, overhead, latency, throughput, "
        + "cost, swarm, processing, scaling, memory, tracer, scheduling", e.getMessage());
  }

  @Test
  void onlyTheSectionsOnTheSharedFarmShareIt() {
    assertEquals(List.of("overhead", "latency", "throughput", "processing", "scheduling"),
        PipelineSections.select(null).stream().filter(Section::sharesFarm).map(Section::name).toList());
  }
}
