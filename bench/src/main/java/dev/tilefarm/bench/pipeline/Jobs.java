package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import java.io.IOException;
import java.io.InputStream;

/** The benchmark jobs, as JSON the farm is submitted. */
final class Jobs {
  /** The demo's spheres scene, which the CLI's jar carries. */
  private static final String SPHERES = "/examples/scenes/spheres.json";

  private Jobs() {
  }

  static ObjectNode spheres(String id, int width, int height, int samples) throws IOException {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", id);
    job.put("type", "render");
    job.put("renderer", "builtin");
    job.put("width", width);
    job.put("height", height);
    job.put("samples", samples);
    job.put("seed", 1);
    try (InputStream in = Jobs.class.getResourceAsStream(SPHERES)) {
      if (in == null) {
        throw new IOException("the benchmark scene " + SPHERES
            + " is not on the classpath (it travels in the CLI's jar)");
      }
      job.set("scene", Json.MAPPER.readTree(in));
    }
    return job;
  }

  static ObjectNode tiled(ObjectNode job, int tileSize) {
    job.put("tileSize", tileSize);
    return job;
  }

  /** A square mandelbrot job with a fresh id: cheap tiles, whose cost {@code iterations} sets. */
  static ObjectNode mandelbrot(String name, int side, int tile, int iterations) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", name + "-" + System.nanoTime());
    job.put("type", "render");
    job.put("renderer", "mandelbrot");
    job.put("width", side);
    job.put("height", side);
    job.put("tileSize", tile);
    job.putObject("scene").put("iterations", iterations);
    return job;
  }

  /**
   * A square job of the benchmarks' {@code sleep} renderer with a fresh id: {@code tiles} or a few more tiles of
   * {@code tile} pixels, each taking {@code millisPerTile} of wall time and almost no CPU.
   */
  static ObjectNode sleep(String name, int tiles, int tile, int millisPerTile) {
    int across = (int) Math.ceil(Math.sqrt(tiles));
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", name + "-" + System.nanoTime());
    job.put("type", "render");
    job.put("renderer", "sleep");
    job.put("width", across * tile);
    job.put("height", across * tile);
    job.put("tileSize", tile);
    job.putObject("scene").put("millisPerTile", millisPerTile);
    return job;
  }

  /**
   * A process job with a fresh id on {@code input}, in 512-pixel tiles: a Gaussian blur of {@code sigma}, then
   * grayscale; further ops can be added to its {@code ops}.
   */
  static ObjectNode blurAndGrey(String name, S3Uri input, double sigma) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", name + "-" + System.nanoTime());
    job.put("type", "process");
    job.put("input", input.toString());
    job.put("tileSize", 512);
    var ops = job.putArray("ops");
    ops.addObject().put("op", "gaussian-blur").put("sigma", sigma);
    ops.addObject().put("op", "grayscale");
    return job;
  }

  /** How many tiles {@link #sleep} makes for {@code tiles}. */
  static int sleepTiles(int tiles) {
    int across = (int) Math.ceil(Math.sqrt(tiles));
    return across * across;
  }
}
