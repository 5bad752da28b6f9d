package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true, description = "Save a completed job's image.")
final class GetCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Parameters(index = "0", paramLabel = "JOB_ID")
  String jobId;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "file to write")
  Path output;

  @Override
  public Integer call() throws Exception {
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 1, progress); JobClient client = new JobClient(running.settings())) {
      List<JobEvent> events = client.history(jobId);
      if (events.isEmpty()) {
        throw new Main.JobsFailedException("no events for job " + jobId + " (unknown, or not picked up yet)");
      }
      JobEvent last = events.get(events.size() - 1);
      // Anyone who may write the job events topic can add a COMPLETED naming any object, before or after the
      // farm's own: each is tried, newest first, and the job's output is refused only if none of them is its own.
      Main.OutputRefusedException refused = null;
      for (JobEvent e : reversed(events)) {
        if (e instanceof JobEvent.Completed c) {
          try {
            JobRunner.download(running.blobs(), running.settings().limits().outputLocations(), jobId, c.output(),
                c.sha256(), output);
          } catch (Main.OutputRefusedException notOurs) {
            refused = refused == null ? notOurs : refused;
            continue;
          }
          System.out.println(JobRunner.describe(c));
          System.out.println("wrote " + output.toAbsolutePath());
          if (c.report() != null && !c.report().equals(dev.tilefarm.store.TileKeys.report(c.output()))) {
            throw new Main.OutputRefusedException("the report of job " + jobId + " is not saved: " + c.report()
                + " is not the report beside its output, " + dev.tilefarm.store.TileKeys.report(c.output()));
          }
          if (c.report() != null) {
            // The analysis report (histogram, dominant colours, faces): saved beside the image and printed.
            byte[] report = running.blobs().get(c.report());
            String name = output.getFileName().toString();
            int dot = name.lastIndexOf('.');
            Path reportFile = output.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".report.json");
            java.nio.file.Files.write(reportFile, report);
            System.out.println("report " + c.report() + " -> " + reportFile.toAbsolutePath());
            System.out.println(dev.tilefarm.schemas.Json.MAPPER.writerWithDefaultPrettyPrinter()
                .writeValueAsString(dev.tilefarm.schemas.Json.MAPPER.readTree(report)));
          }
          return 0;
        }
      }
      if (refused != null) {
        throw refused;
      }
      if (last.terminal()) {
        throw new Main.JobsFailedException(JobRunner.describe(last));
      }
      throw new Main.JobsFailedException("job " + jobId + " has not finished yet (" + StatusCommand.line(last) + ")");
    }
  }

  private static List<JobEvent> reversed(List<JobEvent> events) {
    List<JobEvent> out = new java.util.ArrayList<>(events);
    java.util.Collections.reverse(out);
    return out;
  }
}
