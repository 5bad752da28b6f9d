package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Publish jobs (JSON files, or one job per line of a JSON Lines batch) to the farm.%n"
        + "With --wait, follow them to their ends with an overall progress bar, print a summary, and exit 1 "
        + "naming each job that did not complete.%n"
        + "A process job whose input is a local path (relative to its job file, or to the batch file) has the file "
        + "uploaded to the farm's bucket first, as `process` does; an input job:JOB_ID (another job's output, in this "
        + "batch or not) is passed on as it is, and the job waits for that job.")
final class SubmitCommand extends FarmCommand {
  @Parameters(paramLabel = "JOB.json", arity = "0..*", description = "job files")
  List<Path> files = new ArrayList<>();

  @Option(names = "--batch", paramLabel = "FILE.jsonl", description = "a file with one job per line")
  Path batch;

  @Option(names = "--wait", description = "wait for every job to end")
  boolean await;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT",
      description = "save the image of the (single) job here; implies --wait")
  Path output;

  @Mixin
  EmbeddedWorkersOption workers;

  @Mixin
  RunTimeout timeout;

  @Override
  public Integer call() throws Exception {
    List<ObjectNode> jobs = new ArrayList<>();
    // A process job's input may be a local file, relative to its job file: uploaded once the farm is known.
    Map<ObjectNode, Path> localInputs = new java.util.IdentityHashMap<>();
    for (Path f : files) {
      ObjectNode job = Inputs.jsonObject(f);
      Path input = Inputs.localInput(job, f.toAbsolutePath().getParent(), f.toString());
      if (input != null) {
        localInputs.put(job, input);
      }
      jobs.add(job);
    }
    if (batch != null) {
      List<ObjectNode> lines = readBatch(batch);
      for (int i = 0; i < lines.size(); i++) {
        Path input = Inputs.localInput(lines.get(i), batch.toAbsolutePath().getParent(), batch + " job " + (i + 1));
        if (input != null) {
          localInputs.put(lines.get(i), input);
        }
      }
      jobs.addAll(lines);
    }
    if (jobs.isEmpty()) {
      throw new Main.UsageException("no jobs given: name JOB.json files or --batch FILE.jsonl");
    }
    if (output != null && jobs.size() != 1) {
      throw new Main.UsageException("-o saves one job's image, but " + jobs.size() + " jobs were given");
    }
    if (output != null) {
      RenderCommand.checkOutput(output);
    }
    Progress progress = Progress.stderr(farm.quiet);
    boolean wait = await || output != null;
    Settings settings = farm.settings();
    if (!wait && !settings.clusterConfigured() && Farm.runningUp(settings) == null) {
      progress.note("no farm is running; an embedded farm stops when this command ends, so waiting for the jobs");
      wait = true;
    }
    try (Farm running = Farm.open(settings, workers.count, progress)) {
      for (Map.Entry<ObjectNode, Path> e : localInputs.entrySet()) {
        e.getKey().put("input", Inputs.upload(running.blobs(), e.getValue().toString(), progress).toString());
      }
      if (!wait) {
        try (JobClient client = new JobClient(running.settings())) {
          for (ObjectNode job : jobs) {
            System.out.println(client.submit(job));
          }
        }
        return 0;
      }
      Map<String, JobEvent> ends = JobRunner.run(running, jobs, timeout.limit, progress, timeout.detach);
      List<String> failed = new ArrayList<>();
      int completed = 0;
      for (JobEvent end : ends.values()) {
        System.out.println(JobRunner.describe(end));
        if (end instanceof JobEvent.Completed) {
          completed++;
        } else {
          failed.add(JobRunner.describe(end));
        }
      }
      System.out.println(completed + " of " + ends.size() + " jobs completed");
      if (output != null && ends.values().iterator().next() instanceof JobEvent.Completed c) {
        try {
          JobRunner.download(running.blobs(), running.settings().limits().outputLocations(), c.jobId(), c.output(),
              c.sha256(), output);
          System.out.println("wrote " + output.toAbsolutePath());
          JobRunner.saveReport(running.blobs(), c, output);
        } catch (IOException e) {
          throw new Main.UsageException("job " + c.jobId() + " completed, but its output could not be saved to "
              + output + ": " + e + "\nIt is in the farm's bucket at " + c.output() + "; fetch it with:\n"
              + "  tilefarm get " + c.jobId() + " -o FILE");
        }
      }
      if (!failed.isEmpty()) {
        throw new Main.JobsFailedException(failed.size() + " job(s) did not complete:\n  "
            + String.join("\n  ", failed));
      }
      return 0;
    }
  }

  static List<ObjectNode> readBatch(Path file) throws Main.UsageException {
    List<ObjectNode> jobs = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          jobs.add(Inputs.object(Json.MAPPER.readTree(line), file + " line " + n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new Main.UsageException(file + " line " + n + ": not valid JSON: " + e.getOriginalMessage());
        }
      }
    } catch (IOException e) {
      throw new Main.UsageException(file + ": " + (Files.exists(file) ? e.getMessage() : "no such file"));
    }
    return jobs;
  }
}
