package dev.tilefarm.bench.tracer;

import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.render.path.PathTracer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full-scene throughput on one core: camera samples (whole paths, with next-event estimation at every
 * bounce) per second, through the renderer's public entry point. The scene is a Cornell-style box: quad
 * walls, an emissive quad lamp (area light), a glass sphere, a rough gold sphere, a rotated box and the
 * 130k-triangle noisy sphere as a mesh instance, maxDepth 8. Each invocation renders one 32x32 tile at 16
 * samples per pixel; the score is per sample.
 */
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
public class SamplesPerSecondBenchmark extends OneCoreBenchmark {
  static final int TILE = 32;
  static final int SPP = 16;
  private static final int W = 256;
  private static final int H = 256;

  private PathTracer tracer;
  private int tile;

  @Setup
  public void setup() {
    tracer = PathTracer.prepare(cornellBox(), W, H, SPP, 7);
  }

  static SceneSpec.Builtin cornellBox() {
    Map<String, SceneSpec.Material> m = new LinkedHashMap<>();
    m.put("white", new SceneSpec.Diffuse(new double[] {0.73, 0.73, 0.73}));
    m.put("red", new SceneSpec.Diffuse(new double[] {0.65, 0.05, 0.05}));
    m.put("green", new SceneSpec.Diffuse(new double[] {0.12, 0.45, 0.15}));
    m.put("lamp", new SceneSpec.Emissive(new double[] {1, 0.85, 0.6}, 15));
    m.put("glass", new SceneSpec.Dielectric(1.5, new double[] {1, 1, 1}));
    m.put("gold", new SceneSpec.Conductor(new double[] {1, 0.78, 0.34}, 0.3));
    m.put("rock", new SceneSpec.Pbr(new double[] {0.5, 0.45, 0.4}, null, 0, 0.7, null, null, new double[] {0, 0, 0}, 1,
        null));
    NoisySphere rock = new NoisySphere(256, 256, 42);
    SceneSpec.Transform rockPlace = new SceneSpec.Transform(new double[] {0.25, 0.15, -0.2}, new double[] {0, 0, 0},
        new double[] {0.15, 0.15, 0.15});
    List<SceneSpec.Shape> objects = List.of(
        quad(new double[] {-1, 0, -1}, new double[] {0, 0, 2}, new double[] {2, 0, 0}, "white"),
        quad(new double[] {-1, 2, -1}, new double[] {2, 0, 0}, new double[] {0, 0, 2}, "white"),
        quad(new double[] {-1, 0, -1}, new double[] {2, 0, 0}, new double[] {0, 2, 0}, "white"),
        quad(new double[] {-1, 0, -1}, new double[] {0, 2, 0}, new double[] {0, 0, 2}, "red"),
        quad(new double[] {1, 0, -1}, new double[] {0, 0, 2}, new double[] {0, 2, 0}, "green"),
        quad(new double[] {-0.25, 1.999, -0.25}, new double[] {0.5, 0, 0}, new double[] {0, 0, 0.5}, "lamp"),
        new SceneSpec.Sphere(new double[] {-0.45, 0.3, 0.3}, 0.3, "glass"),
        new SceneSpec.Sphere(new double[] {0.5, 0.25, 0.45}, 0.25, "gold"),
        new SceneSpec.Box(new double[] {-0.3, 0, -0.3}, new double[] {0.3, 1.1, 0.3},
            new SceneSpec.Transform(new double[] {-0.35, 0, -0.45}, new double[] {0, 20, 0}, new double[] {1, 1, 1}),
            "white"),
        new SceneSpec.Mesh(null, rock.positions, rock.indices, null, null, rockPlace, "rock"));
    return new SceneSpec.Builtin(new SceneSpec.Camera(new double[] {0, 1, 3.4}, new double[] {0, 1, 0},
        new double[] {0, 1, 0}, 40), new double[] {0, 0, 0}, null, Map.of(), m, objects, List.of(), 8, null, false, 1);
  }

  private static SceneSpec.Quad quad(double[] corner, double[] e1, double[] e2, String material) {
    return new SceneSpec.Quad(corner, e1, e2, material);
  }

  @Benchmark
  @OperationsPerInvocation(TILE * TILE * SPP)
  public TileImage renderTile() {
    int tilesPerRow = W / TILE;
    int t = tile++ % (tilesPerRow * (H / TILE));
    return tracer.render(new TileRect(t, (t % tilesPerRow) * TILE, (t / tilesPerRow) * TILE, TILE, TILE));
  }
}
