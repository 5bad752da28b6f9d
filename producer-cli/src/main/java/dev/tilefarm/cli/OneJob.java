package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A command that runs one job and saves its result to a local file (render, process): its options for the run
 * (with {@link RunTimeout}'s), and the run.
 */
final class OneJob {
  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "image to write (.png, .jpg)")
  Path output;

  @Mixin
  EmbeddedWorkersOption workers;

  @Mixin
  RunTimeout timeout;

  /** Finishes a job once the farm is known, e.g. by uploading its input. */
  interface Preparation {
    void prepare(Farm farm) throws Exception;
  }

  /**
   * Runs {@code job} on the farm {@code options} name, {@code preparation} finishing it once the farm is known, and
   * saves its result to {@code --output}. On Ctrl-C or after {@code --timeout} the job is cancelled unless
   * {@code --detach}. An image (or analysis report) that cannot be saved once the job completed is a message
   * saying where it is in the bucket and how to fetch it.
   */
  int run(FarmOptions options, ObjectNode job, Preparation preparation) throws Exception {
    Progress progress = Progress.stderr(options.quiet);
    try (Farm farm = Farm.open(options.settings(), workers.count, progress)) {
      preparation.prepare(farm);
      if (!job.hasNonNull("id")) {
        job.put("id", JobClient.newId());
      }
      boolean animation = job.hasNonNull("frames");
      if (!job.hasNonNull("output")) {
        S3Uri out = JobRunner.outputFor(farm.blobs(), job.get("id").asText(), output);
        if (animation) {
          // One object per frame under the job's folder, numbered as the local files will be.
          String key = out.key();
          out = new S3Uri(out.bucket(), key.substring(0, key.lastIndexOf('.')) + "/frame-########"
              + key.substring(key.lastIndexOf('.')));
        }
        job.put("output", out.toString());
      }
      JobEvent end = JobRunner.run(farm, List.of(job), timeout.limit, progress, timeout.detach)
          .get(job.get("id").asText());
      if (!(end instanceof JobEvent.Completed c)) {
        throw new Main.JobsFailedException(JobRunner.describe(end));
      }
      try {
        return save(farm, job, c, output);
      } catch (java.io.IOException e) {
        throw new Main.UsageException("job " + c.jobId() + " completed, but its output could not be saved to "
            + output + ": " + e + "\nIt is in the farm's bucket at " + c.output() + "; fetch it with:\n  tilefarm get "
            + c.jobId() + " -o FILE" + (farm.embedded() ? " " + dataDirFlag(options) : ""));
      }
    }
  }

  private static String dataDirFlag(FarmOptions options) {
    return options.dataDir() == null ? "" : "--data-dir " + options.dataDir();
  }

  private static int save(Farm farm, ObjectNode job, JobEvent.Completed c, Path output)
      throws java.io.IOException, JobRunner.OutputRefusedException {
    if (c.frames() != null) {
      JsonNode range = job.get("frames");
      int start = range.get("start").asInt();
      int step = range.has("step") ? range.get("step").asInt() : 1;
      // The local pattern (its file name holds the '#'s) is filled in as the farm fills in its own.
      S3Uri local = new S3Uri("local", output.getFileName().toString());
      for (int i = 0; i < c.frames(); i++) {
        int number = start + i * step;
        Path file = output.resolveSibling(JobRequest.Frames.outputOf(local, number).key());
        JobRunner.download(farm.blobs(), farm.settings().limits().outputLocations(), c.jobId(),
            JobRequest.Frames.outputOf(c.output(), number), null, file);
      }
      System.out.println(JobRunner.describe(c));
      System.out.println("wrote " + c.frames() + " frames to " + output.toAbsolutePath());
      return 0;
    }
    JobRunner.download(farm.blobs(), farm.settings().limits().outputLocations(), c.jobId(), c.output(), c.sha256(),
        output);
    System.out.println(JobRunner.describe(c));
    System.out.println("wrote " + output.toAbsolutePath());
    JobRunner.saveReport(farm.blobs(), c, output);
    return 0;
  }
}
