package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.Json;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show where a job stands: status, tiles finished, type, how it ended. --events lists every "
        + "event instead; --follow keeps one live line until the job ends.%n"
        + "Exits 0 if the job is running or completed, 1 if it failed, was rejected or cancelled, or is unknown "
        + "(with --follow: 0 only if it completed; 4 if --timeout passed first).")
final class StatusCommand extends FarmCommand {
  @Parameters(index = "0", paramLabel = "JOB_ID")
  String jobId;

  @Option(names = {"--events", "--all"}, description = "list every event so far, one a line (PROGRESS included)")
  boolean events;

  @Option(names = "--json", description = "print the events as JSON lines")
  boolean json;

  @Option(names = {"-f", "--follow"}, description = "follow the job to its end: one line, updated in place on a "
      + "terminal (a new line at each change elsewhere), then how it ended. Waits for a job not split yet.")
  boolean follow;

  @Mixin
  WaitTimeout timeout;

  @Override
  public Integer call() throws Exception {
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 1, progress); JobClient client = new JobClient(running.settings())) {
      if (follow) {
        return follow(client, timeout.limit, progress);
      }
      List<JobEvent> history = client.knownHistory(jobId);
      if (json || events) {
        for (JobEvent e : history) {
          System.out.println(json ? Json.MAPPER.writeValueAsString(e)
              : Instant.ofEpochMilli(e.timestamp()) + "  " + line(e));
        }
      } else {
        System.out.print(JobStates.summary(JobStates.of(history), System.currentTimeMillis()));
      }
      return exitCode(JobStates.of(history));
    }
  }

  private int follow(JobClient client, Duration wait, Progress progress) throws Exception {
    LiveLine live = new LiveLine(System.out, System.console() != null);
    JobEvent end = client.follow(jobId, wait, progress, (e, state) -> {
      if (json) {
        System.out.println(jsonLine(e));
      } else if (!e.terminal()) {
        live.show(JobStates.liveLine(state));
      }
    });
    live.end();
    if (!json) {
      System.out.println(JobRunner.describe(end));
    }
    return end instanceof JobEvent.Completed ? 0 : Main.ExitCodes.JOB_FAILED;
  }

  private static String jsonLine(JobEvent e) {
    try {
      return Json.MAPPER.writeValueAsString(e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
      throw new java.io.UncheckedIOException(x);
    }
  }

  /** 0 while the job runs or once it completed, 1 if it ended otherwise. */
  static int exitCode(JobStates.JobState state) {
    return state.ended() && state.status() != JobStatus.COMPLETED ? Main.ExitCodes.JOB_FAILED : 0;
  }

  static String line(JobEvent e) {
    return switch (e) {
      case JobEvent.Accepted a -> "ACCEPTED  " + a.type() + " " + a.width() + "x" + a.height() + " in " + a.tiles()
          + " tiles -> " + a.output() + (a.attempt() == null ? "" : " (attempt " + a.attempt() + ")");
      case JobEvent.Progress p -> "PROGRESS  " + p.done() + "/" + p.total() + " tiles";
      case JobEvent other -> JobRunner.describe(other).substring(other.jobId().length() + 1);
    };
  }

  /**
   * One line that changes: rewritten in place with {@code \r} on a terminal; elsewhere (a pipe, a log file) a new
   * line each time the text changes, so nothing is lost and nothing repeats.
   */
  static final class LiveLine {
    private final PrintStream out;
    private final boolean terminal;
    private String last;
    private int width;

    LiveLine(PrintStream out, boolean terminal) {
      this.out = out;
      this.terminal = terminal;
    }

    void show(String text) {
      if (text.equals(last)) {
        return;
      }
      last = text;
      if (terminal) {
        out.print("\r" + text + " ".repeat(Math.max(0, width - text.length())));
        width = Math.max(width, text.length());
      } else {
        out.println(text);
      }
      out.flush();
    }

    /** Ends the line, so what follows starts on its own. */
    void end() {
      if (terminal && last != null) {
        out.println();
      }
    }
  }
}
