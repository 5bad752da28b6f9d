package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "render", mixinStandardHelpOptions = true,
    description = "Render a scene through the farm and save the image.%n"
        + "SCENE is a scene for the renderer (see examples/scenes) or a whole render job (see examples/jobs).")
final class RenderCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Parameters(index = "0", paramLabel = "SCENE.json")
  Path scene;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "image to write (.png, .jpg)")
  Path output;

  @Option(names = "--size", paramLabel = "WxH", description = "image size (default 640x480, or the job's)")
  String size;

  @Option(names = "--tile", paramLabel = "N", description = "tile side in pixels")
  Integer tile;

  @Option(names = "--renderer", paramLabel = "NAME", description = "builtin (default) or mandelbrot")
  String renderer;

  @Option(names = "--samples", paramLabel = "N", description = "paths per pixel (builtin)")
  Integer samples;

  @Option(names = "--seed", paramLabel = "N", description = "random seed (builtin)")
  Long seed;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
      description = "worker instances of an embedded farm (default ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0", description = "give up after this long (0 = never)")
  long timeout;

  @Override
  public Integer call() throws Exception {
    ObjectNode file = Inputs.jsonObject(scene);
    ObjectNode job;
    if (file.has("type")) {
      job = file;
    } else {
      job = Json.MAPPER.createObjectNode();
      job.put("type", "render");
      job.put("renderer", "builtin");
      job.put("width", 640);
      job.put("height", 480);
      job.set("scene", file);
    }
    if (renderer != null) {
      job.put("renderer", renderer);
    }
    if (size != null) {
      String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
      try {
        job.put("width", Integer.parseInt(wh[0]));
        job.put("height", Integer.parseInt(wh[1]));
      } catch (RuntimeException e) {
        throw new Main.UsageException("--size " + size + ": expected WIDTHxHEIGHT, e.g. 800x600");
      }
    }
    if (tile != null) {
      job.put("tileSize", tile);
    }
    if (samples != null) {
      job.put("samples", samples);
    }
    if (seed != null) {
      job.put("seed", seed);
    }
    return runOne(farm, job, f -> { }, output, workers, timeout);
  }

  /** Finishes a job once the farm is known, e.g. by uploading its input. */
  interface Preparation {
    void prepare(Farm farm) throws Exception;
  }

  /** Runs one job whose result goes to a local file; shared by render and process. */
  static int runOne(FarmOptions options, ObjectNode job, Preparation preparation, Path output, int workers,
      long timeoutSeconds) throws Exception {
    Progress progress = Progress.stderr(options.quiet);
    try (Farm farm = Farm.open(options.settings(), workers, progress)) {
      preparation.prepare(farm);
      if (!job.hasNonNull("id")) {
        job.put("id", JobClient.newId());
      }
      if (!job.hasNonNull("output")) {
        job.put("output", JobRunner.outputFor(farm.blobs(), job.get("id").asText(), output).toString());
      }
      JobEvent end = JobRunner.run(farm, List.of(job), Duration.ofSeconds(timeoutSeconds), progress)
          .get(job.get("id").asText());
      if (!(end instanceof JobEvent.Completed c)) {
        throw new Main.JobsFailedException(JobRunner.describe(end));
      }
      JobRunner.download(farm.blobs(), c.output(), output);
      System.out.println(JobRunner.describe(c));
      System.out.println("wrote " + output.toAbsolutePath());
      return 0;
    }
  }
}
