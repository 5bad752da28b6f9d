package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Save a completed job's image (and its analysis report, if it has one, beside it); for an "
        + "animation, every frame, to OUT with its '#' run replaced by the frame number (-o 'shot/f-####.png').%n"
        + "With --wait, first wait for the job to end, showing its progress (a job not split yet is waited for "
        + "too). Exits 1 if the job failed, was rejected or cancelled, or (without --wait) has not finished; 4 if "
        + "--timeout passed first.")
final class GetCommand extends JobCommand {
  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "file to write")
  Path output;

  @Option(names = "--wait", description = "wait for the job to end, then save its image")
  boolean await;

  @Option(names = "--video", description = "save the animation's video (a job with \"video\"), not its image")
  boolean video;

  @Mixin
  WaitTimeout timeout;

  @Override
  int run(Farm running, JobClient client, Progress progress) throws Exception {
    List<JobEvent> events = await ? waitFor(client, timeout.limit, progress) : client.knownHistory(jobId);
    JobEvent last = events.get(events.size() - 1);
    // Anyone who may write the job events topic can add a COMPLETED naming any object, before or after the
    // farm's own: each is tried, newest first, and the job's output is refused only if none of them is its own.
    JobRunner.OutputRefusedException refused = null;
    for (JobEvent e : reversed(events)) {
      if (e instanceof JobEvent.Completed c && video) {
        if (c.video() == null) {
          continue;
        }
        try {
          new dev.tilefarm.store.JobOutputs(running.blobs(), running.settings().limits().outputLocations())
              .check(jobId, c.video());
        } catch (dev.tilefarm.store.JobOutputs.RefusedException notOurs) {
          refused = refused == null ? new JobRunner.OutputRefusedException(notOurs.getMessage()) : refused;
          continue;
        }
        java.nio.file.Files.write(output, running.blobs().get(c.video()));
        System.out.println(JobRunner.describe(c));
        System.out.println("wrote the video " + c.video() + " to " + output.toAbsolutePath());
        return 0;
      }
      if (e instanceof JobEvent.Completed c && c.frames() != null) {
        // An animation: its frames, each from its FRAME event, to -o's '#' pattern.
        int saved = FrameDownloads.save(running, c, events, output, progress);
        System.out.println(JobRunner.describe(c));
        System.out.println("wrote " + saved + " frames to " + output.toAbsolutePath());
        return 0;
      }
      if (e instanceof JobEvent.Completed c) {
        try {
          JobRunner.download(running.blobs(), running.settings().limits().outputLocations(), jobId, c.output(),
              c.sha256(), output);
        } catch (JobRunner.OutputRefusedException notOurs) {
          refused = refused == null ? notOurs : refused;
          continue;
        }
        System.out.println(JobRunner.describe(c));
        System.out.println("wrote " + output.toAbsolutePath());
        JobRunner.saveReport(running.blobs(), c, output);
        return 0;
      }
    }
    if (refused != null) {
      throw refused;
    }
    if (video && last instanceof JobEvent.Completed) {
      throw new Main.JobsFailedException("job " + jobId + " made no video (only an animation with \"video\" does)");
    }
    if (last.terminal()) {
      throw new Main.JobsFailedException(JobRunner.describe(last));
    }
    throw new Main.JobsFailedException("job " + jobId + " has not finished yet (" + StatusCommand.line(last)
        + "); --wait waits for it");
  }

  /** Follows the job to its end with a progress bar; returns its events up to the end. */
  private List<JobEvent> waitFor(JobClient client, Duration wait, Progress progress)
      throws java.util.concurrent.TimeoutException {
    List<JobEvent> events = new java.util.ArrayList<>();
    client.follow(jobId, wait, progress, (e, state) -> {
      events.add(e);
      progress.bar(state.done(), state.total(), jobId);
    });
    progress.clearBar();
    return events;
  }

  private static List<JobEvent> reversed(List<JobEvent> events) {
    List<JobEvent> out = new java.util.ArrayList<>(events);
    java.util.Collections.reverse(out);
    return out;
  }
}
