package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Kafka stays at the edge: only these classes of the worker may name it; the tile job, the delivery policy, the
 * renderers and the image ops are free of it.
 */
class DomainCoreTest {
  private static final Set<String> EDGE = Set.of("RenderWorker.java", "HeldTile.java", "WorkerClients.java",
      "TaskTopics.java", "Publisher.java", "Heartbeat.java", "JobWatch.java", "WorkerMetrics.java");

  @Test
  void onlyTheEdgeNamesKafka() throws IOException {
    Path sources = Path.of("src/main/java/dev/tilefarm/worker");
    List<Path> files;
    try (Stream<Path> s = Files.walk(sources)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertTrue(files.size() > EDGE.size(), "sources found in " + sources.toAbsolutePath());
    List<String> offenders = files.stream()
        .filter(p -> !(p.getParent().equals(sources) && EDGE.contains(p.getFileName().toString())))
        .filter(p -> read(p).contains("org.apache.kafka"))
        .map(p -> sources.relativize(p).toString())
        .toList();
    assertEquals(List.of(), offenders);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
