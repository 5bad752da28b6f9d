package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.store.TileKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Show the farm at work: render the example scenes (path tracer and Mandelbrot) and process the "
        + "example photo (blur and grayscale), each through every role, and save the results.")
final class DemoCommand extends FarmCommand {
  @Option(names = "--out", paramLabel = "DIR", defaultValue = "tilefarm-demo",
      description = "where to save the images (default ./${DEFAULT-VALUE})")
  Path out;

  @Mixin
  EmbeddedWorkersOption workers = new EmbeddedWorkersOption(2);

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", description = "give up after this long")
  long timeout;

  @Override
  public Integer call() throws Exception {
    Progress progress = Progress.stderr(farm.quiet);
    long start = System.nanoTime();
    try (Farm running = Farm.open(farm.settings(), workers.count, progress)) {
      progress.note("farm ready in " + (System.nanoTime() - start) / 1_000_000 + " ms");
      String bucket = running.settings().bucket();
      String photoKey = "examples/still-life.png";
      try (InputStream in = resource("images/still-life.png")) {
        running.blobs().put(running.blobs().uri(photoKey), in.readAllBytes(), "image/png");
      }
      List<ObjectNode> jobs = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (String name : List.of("spheres-render", "mandelbrot", "photo-blur-gray")) {
        ObjectNode job;
        try (InputStream in = resource("jobs/" + name + ".json")) {
          job = (ObjectNode) Json.MAPPER.readTree(in);
        }
        String id = name + "-" + JobClient.newId().substring(4);
        job.put("id", id);
        if (job.has("input")) {
          job.put("input", "s3://" + bucket + "/" + photoKey);
        }
        job.put("output", TileKeys.defaultOutput(bucket, id).toString());
        jobs.add(job);
        names.add(name);
      }
      Map<String, JobEvent> ends = JobRunner.run(running, jobs, Duration.ofSeconds(timeout), progress);
      Files.createDirectories(out);
      int i = 0;
      List<String> failed = new ArrayList<>();
      for (JobEvent end : ends.values()) {
        String name = names.get(i++);
        System.out.println(JobRunner.describe(end));
        if (end instanceof JobEvent.Completed c) {
          Path file = out.resolve(name + ".png");
          JobRunner.download(running.blobs(), running.settings().limits().outputLocations(), c.jobId(), c.output(),
              c.sha256(), file);
          System.out.println("  saved " + file.toAbsolutePath());
        } else {
          failed.add(JobRunner.describe(end));
        }
      }
      System.out.println("demo finished in " + (System.nanoTime() - start) / 1_000_000 + " ms"
          + (running.embedded() ? " on the embedded farm (data in " + running.settings().dataDir() + ")" : ""));
      if (!failed.isEmpty()) {
        throw new Main.JobsFailedException("demo jobs failed:\n  " + String.join("\n  ", failed));
      }
      return 0;
    }
  }

  private static InputStream resource(String path) throws IOException {
    InputStream in = DemoCommand.class.getResourceAsStream("/examples/" + path);
    if (in == null) {
      throw new IOException("example " + path + " is missing from the build");
    }
    return in;
  }
}
