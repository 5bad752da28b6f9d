package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every scene in {@code examples/scenes} (the JSON files there and each folder's {@code scene.json}) parses
 * strictly, loads with its files (OBJ/MTL, glTF) from its folder, and renders a lit image: the examples the
 * documentation points at cannot rot.
 */
class ExampleScenesTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "scenes");

  @TestFactory
  List<DynamicTest> everyExampleSceneLoadsAndRenders() throws IOException {
    List<Path> scenes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(EXAMPLES, 2)) {
      files.filter(p -> p.toString().endsWith(".json")).sorted().forEach(scenes::add);
    }
    assertTrue(scenes.size() >= 4, "example scenes: " + scenes);
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : scenes) {
      tests.add(DynamicTest.dynamicTest(EXAMPLES.relativize(file).toString(), () -> {
        SceneSpec.Builtin spec = SceneSpec.parseBuiltinFile(Files.readAllBytes(file));
        Path folder = file.getParent();
        SceneAssets assets = ref -> {
          try {
            return Files.readAllBytes(folder.resolve(AssetPaths.normalize(ref, ref)));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
        PathTracer tracer = PathTracer.prepare(spec, 48, 32, 4, 1, assets);
        TileImage image = tracer.render(new TileRect(0, 0, 0, 48, 32));
        long sum = 0;
        for (byte b : image.pixels()) {
          sum += b & 0xff;
        }
        double mean = (double) sum / image.pixels().length;
        assertTrue(mean > 8, file + " renders nearly black (mean " + mean + ")");
      }));
    }
    return tests;
  }
}
