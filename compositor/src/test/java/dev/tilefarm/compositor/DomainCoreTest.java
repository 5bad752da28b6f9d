package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.testing.SourceScan;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kafka stays at the edge: only these classes may import it; the decisions and the imaging are free of it. */
class DomainCoreTest {
  private static final Set<String> EDGE = Set.of("Compositor.java", "CompositorConfig.java", "CompositorTopology.java",
      "JobStateSerde.java", "ResultProcessor.java", "StreamsErrorPolicy.java", "Janitor.java",
      "CompositorMetrics.java");

  @Test
  void onlyTheEdgeImportsKafka() {
    assertEquals(List.of(),
        SourceScan.naming(Path.of("src/main/java/dev/tilefarm/compositor"), "import org.apache.kafka", EDGE));
  }
}
