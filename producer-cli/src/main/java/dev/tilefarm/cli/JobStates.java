package dev.tilefarm.cli;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where jobs stand, folded from their events on the job events topic (oldest first), and how {@code jobs} and
 * {@code status} show it. No Kafka here: the client reads the events, this decides what they mean.
 */
final class JobStates {
  private JobStates() {}

  /**
   * One job as its events so far leave it. {@code type}, {@code width}, {@code height} are from its ACCEPTED event
   * (null and 0 without one); {@code done} and {@code total} are tiles, {@code fraction} the share of the work done
   * (0 to 1); {@code firstAt} and {@code lastAt} the first and latest event's times (epoch ms); {@code end} is the
   * one-line account of how it ended (null while it runs), {@code events} how many events it has, {@code priority}
   * its priority from its ACCEPTED and PRIORITY events (null without one).
   */
  record JobState(String id, JobStatus status, String type, int width, int height, int done, int total,
      double fraction, long firstAt, long lastAt, String end, int events, Integer priority, List<String> waitingOn,
      Integer attempt) {
    JobState {
      waitingOn = waitingOn == null ? List.of() : List.copyOf(waitingOn);
    }

    /** Waiting for nothing, on its first attempt. */
    JobState(String id, JobStatus status, String type, int width, int height, int done, int total, double fraction,
        long firstAt, long lastAt, String end, int events) {
      this(id, status, type, width, height, done, total, fraction, firstAt, lastAt, end, events, null);
    }

    /** With a priority, waiting for nothing, on its first attempt. */
    JobState(String id, JobStatus status, String type, int width, int height, int done, int total, double fraction,
        long firstAt, long lastAt, String end, int events, Integer priority) {
      this(id, status, type, width, height, done, total, fraction, firstAt, lastAt, end, events, priority, List.of(),
          null);
    }

    /**
     * This state with what {@code e} says of the jobs it waits for (WAITING names them; ACCEPTED, tiles finishing and
     * the ends clear them) and its attempt (a WAITING's or an ACCEPTED's), the rest kept from {@code before}.
     */
    JobState carrying(JobState before, JobEvent e) {
      List<String> waiting = e instanceof JobEvent.Waiting w ? w.waitingOn()
          : e instanceof JobEvent.Accepted || e instanceof JobEvent.Progress || e instanceof JobEvent.Frame
              || e.terminal() ? List.of() : before.waitingOn();
      Integer attempt = e instanceof JobEvent.Accepted a ? a.attempt()
          : e instanceof JobEvent.Waiting w ? w.attempt() : before.attempt();
      return new JobState(id, status, type, width, height, done, total, fraction, firstAt, lastAt, end, events,
          priority, waiting, attempt);
    }

    /** The status, with the jobs a waiting job waits for and a retry's attempt. */
    String statusLine() {
      return status + (waitingOn.isEmpty() ? "" : " on " + String.join(", ", waitingOn))
          + (attempt == null ? "" : " (attempt " + attempt + ")");
    }

    boolean ended() {
      return end != null;
    }

    /** Between its PAUSED and RESUMED events (an end or a retry's run clears it): for {@code --json}. */
    @com.fasterxml.jackson.annotation.JsonProperty("paused")
    boolean paused() {
      return status == JobStatus.PAUSED;
    }

    int percent() {
      return (int) Math.floor(100 * fraction);
    }
  }

  /** {@code state} (null for a job not seen yet) after {@code e}. */
  static JobState apply(JobState prior, JobEvent e) {
    JobState state = prior != null ? prior
        : new JobState(e.jobId(), null, null, 0, 0, 0, 0, 0, e.timestamp(), e.timestamp(), null, 0, null);
    int events = state.events() + 1;
    long lastAt = Math.max(state.lastAt(), e.timestamp());
    JobStatus status = JobStatus.after(state.status(), e);
    JobState next = switch (e) {
      // A first acceptance, or a run after a reservation: either way the job starts here.
      // A retry's done tiles show from its first PROGRESS (which counts the tiles it kept).
      case JobEvent.Accepted a -> new JobState(state.id(), status, a.type(), a.width(), a.height(), 0, a.tiles(), 0,
          state.firstAt(), lastAt, null, events, a.priority() != null ? a.priority() : state.priority());
      // A retry of a job with "after" waits again: a new run, not a late event of the one that ended.
      case JobEvent.Waiting w when state.ended() || !java.util.Objects.equals(w.attempt(), state.attempt()) ->
          new JobState(state.id(), status, state.type(), state.width(), state.height(), 0, state.total(), 0,
              state.firstAt(), lastAt, null, events, w.priority() != null ? w.priority() : state.priority());
      // A job's first end is its answer (a repeated id is not run again); late progress changes nothing.
      case JobEvent late when state.ended() -> new JobState(state.id(), state.status(), state.type(), state.width(),
          state.height(), state.done(), state.total(), state.fraction(), state.firstAt(), lastAt, state.end(), events,
          state.priority());
      case JobEvent.Progress p -> new JobState(state.id(), state.status() == JobStatus.PAUSED ? state.status() : status,
          state.type(), state.width(), state.height(),
          p.done(), p.total(), Math.max(state.fraction(), p.fraction()), state.firstAt(), lastAt, null, events,
          state.priority());
      case JobEvent.Frame f -> new JobState(state.id(), state.status() == JobStatus.PAUSED ? state.status() : status,
          state.type(), state.width(), state.height(),
          state.done(), state.total(), state.fraction(), state.firstAt(), lastAt, null, events, state.priority());
      case JobEvent.Completed c -> new JobState(state.id(), status, state.type(), c.width(), c.height(), c.tiles(),
          c.tiles(), 1, state.firstAt(), lastAt, JobRunner.describe(e), events, state.priority());
      case JobEvent.Failed f -> ended(state, status, lastAt, JobRunner.describe(e), events);
      case JobEvent.Rejected r -> ended(state, status, lastAt, JobRunner.describe(e), events);
      case JobEvent.Cancelled c -> ended(state, status, lastAt, JobRunner.describe(e), events);
      // PAUSED until RESUMED, whatever tiles in hand report meanwhile; a priority change keeps the status.
      case JobEvent.Paused p -> new JobState(state.id(), status, state.type(), state.width(), state.height(),
          state.done(), state.total(), state.fraction(), state.firstAt(), lastAt, null, events, state.priority());
      case JobEvent.Resumed r -> new JobState(state.id(), state.done() > 0 ? status : JobStatus.ACCEPTED, state.type(),
          state.width(), state.height(), state.done(), state.total(), state.fraction(), state.firstAt(), lastAt, null,
          events, state.priority());
      case JobEvent.Prioritized p -> new JobState(state.id(), state.status(), state.type(), state.width(),
          state.height(), state.done(), state.total(), state.fraction(), state.firstAt(), lastAt, null, events,
          p.priority());
      case JobEvent.Waiting w -> new JobState(state.id(), status, state.type(), state.width(), state.height(),
          state.done(), state.total(), state.fraction(), state.firstAt(), lastAt, null, events,
          w.priority() != null ? w.priority() : state.priority());
      // A refused retry or schedule request leaves the job as it stood.
      case JobEvent.RetryRefused r -> same(state, lastAt, events);
      case JobEvent.ScheduleRefused r -> same(state, lastAt, events);
    };
    return next.carrying(state, e);
  }

  /** {@code state} as it stood, seen at {@code lastAt}. */
  private static JobState same(JobState state, long lastAt, int events) {
    return new JobState(state.id(), state.status(), state.type(), state.width(), state.height(), state.done(),
        state.total(), state.fraction(), state.firstAt(), lastAt, state.end(), events, state.priority());
  }

  /** {@code state} ended as {@code end} says, its counts as they were. */
  private static JobState ended(JobState state, JobStatus status, long lastAt, String end, int events) {
    return new JobState(state.id(), status, state.type(), state.width(), state.height(), state.done(), state.total(),
        state.fraction(), state.firstAt(), lastAt, end, events, state.priority());
  }

  /** Folds one job's events, oldest first; null for none. */
  static JobState of(List<JobEvent> events) {
    JobState state = null;
    for (JobEvent e : events) {
      state = apply(state, e);
    }
    return state;
  }

  /**
   * The statuses named by {@code --status} values, each a status or a comma-separated list of them, in any case:
   * those a job's events can give it ({@link JobStatus#fromEvents()}; a job the splitter has not answered has no
   * events, so no status).
   *
   * @throws Main.UsageException naming the valid statuses, for a value that is none of them
   */
  static Set<JobStatus> parseStatuses(List<String> values) throws Main.UsageException {
    Set<JobStatus> out = new LinkedHashSet<>();
    for (String value : values) {
      for (String part : value.split(",", -1)) {
        JobStatus s = JobStatus.find(part).filter(JobStatus.fromEvents()::contains)
            .orElseThrow(() -> new Main.UsageException("--status: unknown status '" + part.trim() + "'; valid: "
                + JobStatus.fromEvents().stream().map(Enum::name).collect(Collectors.joining(", "))));
        out.add(s);
      }
    }
    return out;
  }

  /**
   * The jobs to list: those with a status in {@code statuses} (every job when empty), newest first (by their first
   * event, then id), at most {@code limit} of them (0 = all).
   */
  static List<JobState> select(Map<String, JobState> jobs, Set<JobStatus> statuses, int limit) {
    List<JobState> out = new ArrayList<>();
    for (JobState j : jobs.values()) {
      if (statuses.isEmpty() || statuses.contains(j.status())) {
        out.add(j);
      }
    }
    out.sort(Comparator.comparingLong(JobState::firstAt).reversed().thenComparing(JobState::id));
    return limit > 0 && out.size() > limit ? out.subList(0, limit) : out;
  }

  /** The job list as a table with a header, ages as of {@code now} (epoch ms). */
  static String table(List<JobState> jobs, long now) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"JOB", "STATUS", "PRIORITY", "PROGRESS", "TYPE", "SIZE", "AGE"});
    for (JobState j : jobs) {
      rows.add(new String[] {j.id(), j.statusLine(), j.priority() == null ? "-" : j.priority().toString(),
          progress(j), j.type() == null ? "-" : j.type(), j.width() > 0 ? j.width() + "x" + j.height() : "-",
          age(now - j.firstAt())});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /** {@code done/total tiles (P%)}, or {@code -} for a job that was never split. */
  static String progress(JobState j) {
    if (j.total() <= 0) {
      return "-";
    }
    return j.done() + "/" + j.total() + " tiles (" + j.percent() + "%)";
  }

  /** A duration as a person reads it at a glance: 42s, 7m, 3h, 2d. */
  static String age(long millis) {
    Duration d = Duration.ofMillis(Math.max(0, millis));
    if (d.toSeconds() < 60) {
      return d.toSeconds() + "s";
    }
    if (d.toMinutes() < 60) {
      return d.toMinutes() + "m";
    }
    if (d.toHours() < 48) {
      return d.toHours() + "h";
    }
    return d.toDays() + "d";
  }

  /** The live line of {@code status --follow}: where the job stands, with a bar while it runs. */
  static String liveLine(JobState j) {
    StringBuilder out = new StringBuilder(j.id()).append("  ").append(j.status());
    if (j.total() > 0) {
      int filled = (int) Math.floor(20 * j.fraction());
      out.append("  [").append("#".repeat(filled)).append(".".repeat(20 - filled)).append("] ")
          .append(progress(j));
    }
    return out.toString();
  }

  /** The concise account {@code status} prints: what the job is, where it stands, how it ended. */
  static String summary(JobState j, long now) {
    StringBuilder out = new StringBuilder();
    out.append("job       ").append(j.id()).append('\n');
    out.append("status    ").append(j.statusLine());
    if (j.total() > 0) {
      out.append("  ").append(progress(j));
    }
    out.append('\n');
    if (j.type() != null) {
      out.append("type      ").append(j.type()).append(' ').append(j.width()).append('x').append(j.height())
          .append(j.priority() == null ? "" : ", priority " + j.priority()).append('\n');
    }
    out.append("since     ").append(java.time.Instant.ofEpochMilli(j.firstAt())).append(" (")
        .append(age(now - j.firstAt())).append(" ago)\n");
    if (j.ended()) {
      out.append("ended     ").append(j.end().substring(j.id().length() + 1)).append('\n');
    }
    out.append("events    ").append(j.events()).append(" (--events lists them)\n");
    return out.toString();
  }
}
