package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.testing.SourceScan;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Kafka stays at the edge: only these classes of the worker may name it; the tile job, the delivery policy, the
 * renderers and the image ops are free of it.
 */
class DomainCoreTest {
  private static final Set<String> EDGE = Set.of("RenderWorker.java", "HeldTile.java", "WorkerClients.java",
      "TaskTopics.java", "Publisher.java", "Heartbeat.java", "JobWatch.java", "WorkerMetrics.java",
      "WorkerProcess.java");

  @Test
  void onlyTheEdgeNamesKafka() {
    assertEquals(List.of(), SourceScan.naming(Path.of("src/main/java/dev/tilefarm/worker"), "org.apache.kafka", EDGE));
  }
}
