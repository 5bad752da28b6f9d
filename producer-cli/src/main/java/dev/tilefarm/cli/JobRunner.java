package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.JobOutputs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/** Submits jobs to a farm and waits for their ends, showing overall tile progress. */
final class JobRunner {
  private JobRunner() {}

  /** Submits every job, waits for each to end, and returns the terminal event by job id, in order. */
  static Map<String, JobEvent> run(Farm farm, List<ObjectNode> jobs, Duration timeout, Progress progress)
      throws InterruptedException, TimeoutException, InterruptedByUserException {
    return run(farm, jobs, timeout, progress, false);
  }

  /** The user pressed Ctrl-C while the command waited for its jobs; the message says what became of them. */
  static final class InterruptedByUserException extends Main.CommandFailure {
    InterruptedByUserException(String message) {
      super(message, Main.ExitCodes.INTERRUPTED, null);
    }
  }

  /**
   * Submits every job, waits for each to end, and returns the terminal event by job id, in order. If the wait
   * ends early, on Ctrl-C or after {@code timeout}, the jobs that have not ended are cancelled and their
   * CANCELLED events awaited (so that an embedded farm does not take them up again when it next starts), unless
   * {@code detach}.
   *
   * @throws TimeoutException after {@code timeout} (zero: none)
   * @throws InterruptedByUserException on Ctrl-C (SIGINT)
   */
  static Map<String, JobEvent> run(Farm farm, List<ObjectNode> jobs, Duration timeout, Progress progress,
      boolean detach) throws InterruptedException, TimeoutException, InterruptedByUserException {
    try (JobClient client = new JobClient(farm.settings()); CtrlC ctrlC = CtrlC.install()) {
      Set<String> reused = new HashSet<>();
      for (ObjectNode job : jobs) {
        if (job.hasNonNull("id")) {
          reused.add(job.get("id").asText());
        }
      }
      Map<String, Integer> total = new HashMap<>();
      Map<String, Integer> done = new HashMap<>();
      Set<String> ended = new HashSet<>();
      List<String> ids = new ArrayList<>();
      try {
        var from = client.eventPositions();
        for (ObjectNode job : jobs) {
          if (!job.hasNonNull("id")) {
            job.put("id", JobClient.newId());
          }
          // Counted before it is sent: a Ctrl-C during the send must cancel it too.
          ids.add(job.get("id").asText());
          client.submit(job);
        }
        progress.note(ids.size() == 1 ? "submitted job " + ids.get(0) : "submitted " + ids.size() + " jobs");
        Map<String, JobEvent> ends = client.await(ids, reused, from, timeout, event -> {
          String id = event.jobId();
          switch (event) {
            case JobEvent.Accepted a -> total.put(id, a.tiles());
            case JobEvent.Progress p -> {
              done.put(id, p.done());
              total.put(id, p.total());
            }
            case JobEvent.Completed c -> done.put(id, c.tiles());
            case JobEvent.Frame f -> { }
            case JobEvent.Failed f -> { }
            case JobEvent.Rejected r -> { }
            case JobEvent.Cancelled c -> { }
            case JobEvent.Paused p -> progress.note("job " + id + " paused");
            case JobEvent.Resumed r -> progress.note("job " + id + " resumed");
            case JobEvent.Prioritized p -> progress.note("job " + id + " now has priority " + p.priority());
            case JobEvent.Waiting w -> progress.note(id + " waits for " + String.join(", ", w.waitingOn()));
            case JobEvent.RetryRefused r -> progress.note(id + ": retry refused: " + r.reason());
            case JobEvent.ScheduleRefused r -> progress.note(id + ": " + r.request() + " refused: " + r.reason());
          }
          if (event.terminal()) {
            ended.add(id);
          }
          long t = total.values().stream().mapToLong(Integer::longValue).sum();
          long d = done.values().stream().mapToLong(Integer::longValue).sum();
          progress.bar(d, t, ids.size() == 1 ? ids.get(0) : (ended.size() + " of " + ids.size() + " jobs ended"));
        });
        progress.clearBar();
        Map<String, JobEvent> ordered = new LinkedHashMap<>();
        for (String id : ids) {
          ordered.put(id, ends.get(id));
        }
        return ordered;
      } catch (TimeoutException e) {
        progress.clearBar();
        stopEarly(client, farm, unended(ids, ended), "timed out after " + timeout.toSeconds() + " s", detach);
        throw e;
      } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
        if (!ctrlC.fired()) {
          throw e;
        }
        // Kafka's InterruptException sets the flag again; the client is needed once more, to cancel.
        Thread.interrupted();
        progress.clearBar();
        List<String> left = unended(ids, ended);
        stopEarly(client, farm, left, "Ctrl-C", detach);
        throw new InterruptedByUserException(left.isEmpty() ? "interrupted"
            : "interrupted; " + (detach ? "left running: " : "cancelled: ") + String.join(", ", left));
      }
    }
  }

  private static List<String> unended(List<String> ids, Set<String> ended) {
    List<String> left = new ArrayList<>(ids);
    left.removeAll(ended);
    return left;
  }

  /** How long an early stop waits for the farm to confirm the cancels it asked for. */
  static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

  /**
   * The command stops waiting for {@code ids} ({@code why}): cancels them, says so, and waits (up to
   * {@link #CANCEL_WAIT}) for their CANCELLED events; or, with {@code detach}, says they keep running.
   */
  static void stopEarly(JobClient client, Farm farm, List<String> ids, String why, boolean detach) {
    if (ids.isEmpty()) {
      return;
    }
    if (detach) {
      for (String id : ids) {
        System.err.println("tilefarm: left job " + id + " running (" + why + ", --detach)"
            + (farm.embedded() ? "; this embedded farm stops now, and the job resumes when a farm next starts on"
                + " this data directory" : "; follow it with 'tilefarm status " + id + "'"));
      }
      return;
    }
    try {
      var from = client.eventPositions();
      for (String id : ids) {
        client.cancel(id, why);
        System.err.println("tilefarm: cancelled job " + id + " (" + why + "); --detach leaves jobs running");
      }
      client.await(ids, Set.of(), from, CANCEL_WAIT, e -> { });
    } catch (TimeoutException e) {
      System.err.println("tilefarm: the farm has not confirmed every cancel within " + CANCEL_WAIT.toSeconds()
          + " s: " + e.getMessage() + " (see 'tilefarm status')");
    } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
      Thread.currentThread().interrupt();
      System.err.println("tilefarm: interrupted while cancelling " + String.join(", ", ids));
    }
  }

  /**
   * While installed, Ctrl-C (SIGINT) interrupts the thread that installed it instead of stopping the JVM, so
   * that the command can cancel its jobs first; a second Ctrl-C stops the JVM at once. Where the JVM does not
   * let a handler be installed (no SIGINT, or -Xrs), Ctrl-C stops the JVM as usual.
   */
  static final class CtrlC implements AutoCloseable {
    private static final sun.misc.Signal INT = signal();
    private final java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
    private final sun.misc.SignalHandler previous;

    private CtrlC(Thread waiter) {
      sun.misc.SignalHandler old = null;
      if (INT != null) {
        try {
          old = sun.misc.Signal.handle(INT, s -> {
            if (fired.getAndSet(true)) {
              System.err.println("tilefarm: stopping now, without waiting for the cancels");
              Runtime.getRuntime().halt(Main.ExitCodes.INTERRUPTED);
            }
            System.err.println("tilefarm: stopping (Ctrl-C again to stop at once)");
            waiter.interrupt();
          });
        } catch (IllegalArgumentException e) {
          old = null; // the JVM keeps SIGINT to itself (-Xrs)
        }
      }
      previous = old;
    }

    private static sun.misc.Signal signal() {
      try {
        return new sun.misc.Signal("INT");
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    static CtrlC install() {
      return new CtrlC(Thread.currentThread());
    }

    boolean fired() {
      return fired.get();
    }

    @Override
    public void close() {
      if (previous != null) {
        sun.misc.Signal.handle(INT, previous);
      }
      // A Ctrl-C that came as the jobs ended interrupts nothing after: the command saves what they made.
      if (fired.get()) {
        Thread.interrupted();
      }
    }
  }

  /** One line about how a job ended. */
  static String describe(JobEvent end) {
    return switch (end) {
      case JobEvent.Completed c when c.frames() != null -> c.jobId() + " COMPLETED " + c.frames() + " frames of "
          + c.width() + "x" + c.height() + " " + c.format() + " -> " + c.output()
          + (c.video() == null ? "" : ", video " + c.video()) + " (" + c.tiles() + " tiles, "
          + c.timings().total() + " ms)";
      case JobEvent.Completed c -> c.jobId() + " COMPLETED " + c.width() + "x" + c.height() + " " + c.format()
          + " -> " + c.output() + " (sha256 " + c.sha256().substring(0, 12) + "..., " + c.tiles() + " tiles, "
          + c.timings().total() + " ms)";
      case JobEvent.Failed f -> f.jobId() + " FAILED: " + f.reason();
      case JobEvent.Rejected r -> r.jobId() + " REJECTED: " + r.reason();
      case JobEvent.Cancelled c -> c.jobId() + " CANCELLED: " + c.reason();
      case JobEvent.Accepted a -> end.jobId() + " " + end.getClass().getSimpleName().toUpperCase();
      case JobEvent.Progress p -> end.jobId() + " " + end.getClass().getSimpleName().toUpperCase();
      case JobEvent.Frame f -> end.jobId() + " " + end.getClass().getSimpleName().toUpperCase();
      case JobEvent.Paused p -> p.jobId() + " PAUSED";
      case JobEvent.Resumed r -> r.jobId() + " RESUMED after " + r.pausedMs() + " ms";
      case JobEvent.Prioritized p -> p.jobId() + " PRIORITY " + p.priority();
      case JobEvent.Waiting w -> w.jobId() + " WAITING for " + String.join(", ", w.waitingOn());
      case JobEvent.RetryRefused r -> r.jobId() + " RETRY_REFUSED: " + r.reason();
      case JobEvent.ScheduleRefused r -> r.jobId() + " SCHEDULE_REFUSED (" + r.request() + "): " + r.reason();
    };
  }

  /**
   * A job's output that is not saved: the object its COMPLETED event names is not the job's own, or not the bytes
   * the event gives (a forged or stale event); the message says which and why.
   */
  static final class OutputRefusedException extends Main.CommandFailure {
    OutputRefusedException(String message) {
      super(message, Main.ExitCodes.OUTPUT_REFUSED, null);
    }
  }

  /**
   * Saves a completed job's analysis report (histogram, dominant colours, faces), if it has one, beside
   * {@code output} as NAME.report.json, and prints it, as {@code get} does.
   *
   * @throws OutputRefusedException if the event names a report that is not the one beside its output
   */
  static void saveReport(BlobStore blobs, JobEvent.Completed c, Path output)
      throws IOException, OutputRefusedException {
    if (c.report() == null) {
      return;
    }
    if (!c.report().equals(dev.tilefarm.store.TileKeys.report(c.output()))) {
      throw new OutputRefusedException("the report of job " + c.jobId() + " is not saved: " + c.report()
          + " is not the report beside its output, " + dev.tilefarm.store.TileKeys.report(c.output()));
    }
    byte[] report = blobs.get(c.report());
    String name = output.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path reportFile = output.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".report.json");
    Files.write(reportFile, report);
    System.out.println("report " + c.report() + " -> " + reportFile.toAbsolutePath());
    System.out.println(dev.tilefarm.schemas.Json.MAPPER.writerWithDefaultPrettyPrinter()
        .writeValueAsString(dev.tilefarm.schemas.Json.MAPPER.readTree(report)));
  }

  /**
   * Saves job {@code jobId}'s image at {@code uri} to {@code file}, once it is checked to be the job's own and to
   * have {@code sha256}, the sha256 of its COMPLETED event (see {@link JobOutputs}: an event is only as good as
   * whoever wrote it). Nothing is written to {@code file} otherwise.
   *
   * @param outputLocations the farm's {@code limits.output-locations}
   * @param sha256 the event's sha256, or null to check only that the object is the job's (an animation's frames)
   * @throws OutputRefusedException if the object is not the job's, or its bytes are not the event's
   */
  static void download(BlobStore blobs, java.util.List<String> outputLocations, String jobId, S3Uri uri,
      String sha256, Path file) throws IOException, OutputRefusedException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JobOutputs outputs = new JobOutputs(blobs, outputLocations);
    Path part = Files.createTempFile(parent, ".tilefarm-get-", ".part");
    try {
      if (sha256 == null) {
        outputs.check(jobId, uri);
        try (InputStream in = blobs.open(uri)) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
      } else {
        outputs.copy(jobId, uri, sha256, part);
      }
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (JobOutputs.RefusedException e) {
      throw new OutputRefusedException("the output of job " + jobId + " is not saved: " + e.getMessage());
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** The output location for a local target file: the farm's bucket, under the job id, same extension. */
  static S3Uri outputFor(BlobStore blobs, String jobId, Path target) {
    String name = target.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "png" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    return blobs.uri("outputs/" + jobId + "." + ext);
  }
}
