package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Kafka stays at the edge: only these classes may import it; the decisions and the imaging are free of it. */
class DomainCoreTest {
  private static final Set<String> EDGE = Set.of("Compositor.java", "CompositorConfig.java", "CompositorTopology.java",
      "JobStateSerde.java", "ResultProcessor.java", "StreamsErrorPolicy.java", "Janitor.java",
      "CompositorMetrics.java");

  @Test
  void onlyTheEdgeImportsKafka() throws IOException {
    Path sources = Path.of("src/main/java/dev/tilefarm/compositor");
    List<Path> files;
    try (Stream<Path> s = Files.list(sources)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertTrue(files.size() > EDGE.size(), "sources found in " + sources.toAbsolutePath());
    List<String> offenders = files.stream()
        .filter(p -> !EDGE.contains(p.getFileName().toString()))
        .filter(p -> read(p).contains("import org.apache.kafka"))
        .map(p -> p.getFileName().toString())
        .toList();
    assertEquals(List.of(), offenders);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
