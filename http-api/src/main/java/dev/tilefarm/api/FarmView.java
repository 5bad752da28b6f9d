package dev.tilefarm.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.JobCancel;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.JobStatus;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.WorkerStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * What the farm is doing, as far as its topics tell: every job with its events and tiles, the workers
 * (from their heartbeats, tile results and the share group), throughput, dead letters and backlog. Built only from
 * decoded messages (the Kafka edge is {@link EventFeed}), so it is tested without a broker. Thread-safe: updates
 * and reads hold one lock, and listeners are told of each change under that lock, so a listener that took a
 * snapshot and then subscribed in one {@link #subscribe} call misses nothing and sees nothing twice.
 */
final class FarmView {
  /** Tile completions remembered for throughput: five minutes' worth. */
  static final long THROUGHPUT_WINDOW_MS = 300_000;
  static final int MAX_DEAD_LETTERS = 500;
  static final int MAX_FAILED_TILES = 500;
  /**
   * COMPLETED events a job keeps for output serving: its first ones and its latest ones, this many of each, so a
   * flood of forged events neither grows the view nor pushes the farm's own event out of it.
   */
  static final int MAX_COMPLETED_KEPT = 4;

  /** A change, as pushed to listeners (and on to SSE clients). */
  sealed interface Update permits JobChanged, EventSeen, TileSeen, DeadLettered {
    /** The job the update is about, or null. */
    String jobId();
  }

  /** A job's summary after a change. */
  record JobChanged(JobSummary job) implements Update {
    @Override
    public String jobId() {
      return job.id();
    }
  }

  /** A job event exactly as it was on the job events topic. */
  record EventSeen(JobEvent event) implements Update {
    @Override
    public String jobId() {
      return event.jobId();
    }
  }

  /** A tile result of a job. */
  record TileSeen(String jobId, TileView tile) implements Update {}

  /** A record some role could not decode. */
  record DeadLettered(DeadLetterView letter) implements Update {
    @Override
    public String jobId() {
      return null;
    }
  }

  interface Listener {
    /** Called under the view's lock: must not block. */
    void on(Update update);
  }

  /** One line of the jobs list. {@code status} is SUBMITTED until the splitter answers. */
  record JobSummary(String id, JobStatus status, String type, String kind, int width, int height, int tiles, int done,
      int failedTiles, String output, String reason, String field, Long submittedAt, Long acceptedAt, Long endedAt,
      String sha256, Long bytes, String format, JobEvent.Timings timings, boolean cancelRequested, Integer priority,
      boolean paused, List<String> waitingOn, Integer attempt, String video) {
    /**
     * Before priorities, dependencies and retries: priority unknown, not paused, waiting on nothing, first attempt,
     * no video.
     */
    JobSummary(String id, JobStatus status, String type, String kind, int width, int height, int tiles, int done,
        int failedTiles, String output, String reason, String field, Long submittedAt, Long acceptedAt, Long endedAt,
        String sha256, Long bytes, String format, JobEvent.Timings timings, boolean cancelRequested) {
      this(id, status, type, kind, width, height, tiles, done, failedTiles, output, reason, field, submittedAt,
          acceptedAt, endedAt, sha256, bytes, format, timings, cancelRequested, null, false, List.of(), null,
          null);
    }
  }

  /** A job with its tiles (in index order) and its events (oldest first). */
  record JobDetail(JobSummary job, List<TileView> tiles, List<JobEvent> events) {}

  /**
   * A tile as a worker reported it: DONE with its render time, or FAILED with the reason and, when its renderer kept
   * one (povray, blender), {@code log}: where the API serves the renderer's log.
   */
  record TileView(int index, int x, int y, int width, int height, TileStatus status, Long renderMs, String worker,
      String reason, long at, int reports, String log) {}

  /** How a worker last reported a tile: made (DONE) or not (FAILED); on the wire, its name. */
  enum TileStatus { DONE, FAILED }

  /**
   * A worker seen in heartbeats, tile results or the share group. {@code renderers} and {@code threads} are
   * from its latest heartbeat (empty and null without one); {@code live} is what the splitter also goes by:
   * that heartbeat is at most {@link WorkerStatus#ALIVE_MS} old. {@code lastSeen} is the newest of the
   * heartbeat's timestamp and the worker's last tile result; {@code kinds} are what it has made (renderers
   * and op chains of the jobs whose tiles it reported).
   */
  record WorkerView(String id, boolean live, boolean member, String health, List<String> renderers, Integer threads,
      Long lastHeartbeat, Long lastSeen, long tiles, long failures, double tilesPerSecond, double meanRenderMs,
      List<String> kinds) {}

  /**
   * A dead letter as the API shows it; {@code storedAt}, {@code storedBytes} and {@code sha256} describe the
   * value's bytes (or the key's, if only the key was kept) when the letter is a claim check, else null.
   */
  record DeadLetterView(String sourceTopic, int partition, long offset, String key, String error, String role,
      long timestamp, String valuePreview, String storedAt, Long storedBytes, String sha256) {}

  record Backlog(String topic, String group, long records) {}

  record Stats(double tilesPerSecond, long tilesLastMinute, long jobsRunning, long jobsSubmitted, long jobsCompleted,
      long jobsFailed, List<Backlog> backlog, List<FailedTile> failedTiles) {}

  /** {@code log}: where the API serves the failed tile's renderer log, when it has one (povray, blender). */
  record FailedTile(String jobId, int index, String worker, String reason, long at, String log) {}

  private static final class Job {
    final String id;
    JobStatus status = JobStatus.SUBMITTED;
    String type;
    String kind;
    int width;
    int height;
    int tiles;
    int done;
    int failedTiles;
    String output;
    String reason;
    String field;
    Long submittedAt;
    Long acceptedAt;
    Long endedAt;
    String sha256;
    Long bytes;
    String format;
    /** An animation's video (COMPLETED's video), or null. */
    String video;
    JobEvent.Timings timings;
    boolean cancelRequested;
    /** From its request (default 50), then its WAITING, ACCEPTED and PRIORITY events; null while unknown. */
    Integer priority;
    /** Between a PAUSED event and the RESUMED one, or the run's end. */
    boolean paused;
    /** The jobs it waits for (WAITING), until it runs or ends. */
    List<String> waitingOn = List.of();
    /** The run its latest WAITING or ACCEPTED announced, from 2 on (a retry); null for the first. */
    Integer attempt;
    /** The tile the run's FAILED named, or null: a retry does not keep it. */
    Integer failedTile;
    /** An animation's frame numbers, from its request; null for any other job. */
    JobRequest.Frames frames;
    final Map<Integer, TileView> tileViews = new TreeMap<>();
    final List<JobEvent> events = new ArrayList<>();
    /** The first {@link #MAX_COMPLETED_KEPT} COMPLETED events, oldest first. */
    final List<JobEvent.Completed> firstCompleted = new ArrayList<>();
    /** The latest {@link #MAX_COMPLETED_KEPT} COMPLETED events after those, oldest first. */
    final Deque<JobEvent.Completed> lastCompleted = new ArrayDeque<>();

    Job(String id) {
      this.id = id;
    }

    boolean ended() {
      return endedAt != null;
    }

    /** A FAILED, REJECTED or CANCELLED end: its status and reason; nothing is paused or waited for any more. */
    void endedBy(JobEvent end, String reason) {
      status = JobStatus.after(end);
      this.reason = reason;
      paused = false;
      waitingOn = List.of();
    }

    /**
     * Whether a WAITING or ACCEPTED of run {@code eventAttempt} (null: the first) starts a new run: the job had
     * ended (a retry, or a resubmission after REJECTED), or it is another run than the one shown.
     */
    boolean startsRun(Integer eventAttempt) {
      return ended() || !java.util.Objects.equals(eventAttempt, attempt);
    }

    /**
     * Run {@code runAttempt} begins: the last run's end, reason, pause and waits are history (its events keep them).
     * Its tiles count as the compositor counts a retry's (RetryKeeper): the done tiles are kept, but the one its
     * FAILED named, so {@code done} starts from them and PROGRESS goes on from there; failed tiles are made again.
     */
    void newRun(Integer runAttempt) {
      attempt = runAttempt;
      endedAt = null;
      reason = null;
      field = null;
      timings = null;
      cancelRequested = false;
      paused = false;
      waitingOn = List.of();
      Integer notKept = failedTile;
      tileViews.values().removeIf(t -> t.status() == TileStatus.FAILED || notKept != null && t.index() == notKept);
      failedTile = null;
      failedTiles = 0;
      done = (int) tileViews.values().stream().filter(t -> t.status() == TileStatus.DONE).count();
    }

    /** Tiles are being made: the run no longer waits. */
    void running() {
      waitingOn = List.of();
    }

    JobSummary summary() {
      return new JobSummary(id, status, type, kind, width, height, tiles, done, failedTiles, output, reason, field,
          submittedAt, acceptedAt, endedAt, sha256, bytes, format, timings, cancelRequested, priority, paused,
          waitingOn, attempt, video);
    }
  }

  private static final class Worker {
    final String id;
    long tiles;
    long failures;
    long renderMsTotal;
    Long lastTile;
    /** The latest heartbeat, or null: none yet, or the worker said it stopped. */
    WorkerStatus heartbeat;
    final Set<String> kinds = new TreeSet<>();
    final Deque<Long> recent = new ArrayDeque<>();

    Worker(String id) {
      this.id = id;
    }

    boolean madeTiles() {
      return tiles > 0 || failures > 0;
    }
  }

  /** How long a worker that left (or stopped sending heartbeats) stays listed after it was last seen. */
  static final long FORGET_GONE_MS = 5 * 60_000L;

  private final Object lock = new Object();
  private final int maxJobs;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final Map<String, Worker> workers = new TreeMap<>();
  private final Deque<Long> completions = new ArrayDeque<>();
  private final Deque<DeadLetterView> deadLetters = new ArrayDeque<>();
  private final Deque<FailedTile> failedTiles = new ArrayDeque<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private Set<String> members = Set.of();
  private List<Backlog> backlog = List.of();

  FarmView(int maxJobs) {
    this.maxJobs = maxJobs;
  }

  /** A record on the jobs topic: a job request (valid or not), a cancel request or a schedule request. */
  void onJobRecord(String key, byte[] value, long timestamp) {
    ObjectNode json;
    try {
      json = JobCodec.parse(value);
    } catch (RuntimeException e) {
      return; // the splitter dead-letters it; the dead letter shows up here on its own
    }
    synchronized (lock) {
      JobCancel cancel;
      try {
        cancel = JobCodec.cancelOf(json);
      } catch (RuntimeException e) {
        return; // an invalid cancel request changes nothing
      }
      if (cancel != null) {
        Job job = jobs.get(cancel.jobId());
        if (job != null && !job.ended()) {
          job.cancelRequested = true;
          changed(job);
        }
        return;
      }
      if (JobCodec.SCHEDULE_KEYS.stream().anyMatch(json::has)) {
        return; // a pause, resume or priority request: its PAUSED, RESUMED or PRIORITY event tells the view
      }
      String id = JobCodec.idOf(json, key);
      if (id == null) {
        return;
      }
      Job job = job(id);
      if (job.submittedAt != null) {
        return; // a repeated id is not run twice; the first request describes the job
      }
      job.submittedAt = timestamp;
      JsonNode type = json.get("type");
      job.type = type != null && type.isTextual() ? type.asText() : null;
      try {
        JobRequest request = JobCodec.decode(json, key);
        job.kind = kindOf(request);
        job.frames = request instanceof JobRequest.Render r && r.frames() != null && r.frames().sequence()
            ? r.frames() : null;
        if (job.priority == null) {
          job.priority = JobCodec.priorityOf(json); // the events that follow say it again (or change it)
        }
      } catch (RuntimeException e) {
        job.kind = null; // the splitter will reject it, naming the field
      }
      changed(job);
    }
  }

  /** What made a job's pixels: the renderer's name, or the op chain. */
  static String kindOf(JobRequest request) {
    return switch (request) {
      case JobRequest.Render r -> r.renderer().id();
      case JobRequest.Process p -> p.ops().stream().map(ImageOp::name).collect(Collectors.joining("+"));
      case JobRequest.Encode e -> Renderer.FFMPEG.id();
    };
  }

  /**
   * A job event. Once a job has a COMPLETED event its summary is that event's and stays so: later events (a
   * forged COMPLETED, FAILED or ACCEPTED, or the farm's own repeated) are listed among its events but change
   * neither its status nor its output; later COMPLETED events are kept (bounded) as candidates for
   * {@link #completions}, because the first one need not be the farm's.
   */
  void onEvent(JobEvent event) {
    synchronized (lock) {
      Job job = job(event.jobId());
      job.events.add(event);
      boolean completedBefore = !job.firstCompleted.isEmpty();
      if (event instanceof JobEvent.Completed c) {
        if (job.firstCompleted.size() < MAX_COMPLETED_KEPT) {
          job.firstCompleted.add(c);
        } else {
          job.lastCompleted.addLast(c);
          while (job.lastCompleted.size() > MAX_COMPLETED_KEPT) {
            job.lastCompleted.removeFirst();
          }
        }
      }
      if (!completedBefore) {
        // Once completed, later events are only listed: see above.
        switch (event) {
          case JobEvent.Accepted a -> {
            if (job.startsRun(a.attempt())) {
              job.newRun(a.attempt());
            }
            job.status = JobStatus.after(a);
            job.type = a.type();
            job.tiles = a.tiles();
            job.width = a.width();
            job.height = a.height();
            job.output = a.output() == null ? null : a.output().toString();
            job.acceptedAt = a.timestamp();
            if (a.priority() != null) {
              job.priority = a.priority();
            }
            job.waitingOn = List.of();
          }
          case JobEvent.Progress p -> {
            if (!job.ended() && !job.paused) {
              job.status = JobStatus.after(p);
            }
            if (!job.ended()) {
              job.running();
            }
            job.done = Math.max(job.done, p.done());
            job.tiles = p.total();
          }
          case JobEvent.Frame f -> { } // one frame of an animation: the summary follows PROGRESS and the end
          case JobEvent.Completed c -> {
            job.status = JobStatus.after(c);
            job.output = c.output().toString();
            job.format = c.format();
            job.video = c.video() == null ? null : c.video().toString();
            job.sha256 = c.sha256();
            job.bytes = c.bytes();
            job.width = c.width();
            job.height = c.height();
            job.tiles = c.tiles();
            job.done = c.tiles();
            job.timings = c.timings();
            job.paused = false;
            job.waitingOn = List.of();
          }
          case JobEvent.Failed f -> {
            job.endedBy(f, f.reason());
            job.failedTile = f.tile();
          }
          case JobEvent.Rejected r -> {
            job.endedBy(r, r.reason());
            job.field = r.field();
          }
          case JobEvent.Cancelled c -> job.endedBy(c, c.reason());
          case JobEvent.Paused p -> {
            if (!job.ended()) {
              job.paused = true;
              job.status = JobStatus.after(job.status, p);
            }
          }
          case JobEvent.Resumed r -> {
            if (!job.ended()) {
              job.paused = false;
              job.status = job.done > 0 ? JobStatus.after(job.status, r) : JobStatus.ACCEPTED;
            }
          }
          case JobEvent.Prioritized p -> job.priority = p.priority();
          case JobEvent.Waiting w -> {
            if (job.startsRun(w.attempt())) {
              job.newRun(w.attempt()); // a retry of a job with "after" waits again
            }
            job.status = JobStatus.after(w);
            job.waitingOn = w.waitingOn();
            if (w.priority() != null) {
              job.priority = w.priority();
            }
          }
          case JobEvent.RetryRefused r -> { } // the job stands as it was: the event is listed
          case JobEvent.ScheduleRefused r -> { } // as a refused retry
        }
      }
      if (event.terminal() && !completedBefore) {
        job.endedAt = event.timestamp();
      }
      for (Listener l : listeners) {
        l.on(new EventSeen(event));
      }
      changed(job);
      forgetOldJobs();
    }
  }

  /** A tile result; {@code timestamp} is when it was published. */
  void onTile(TileResult result, long timestamp) {
    if (result instanceof TileResult.Progress || result instanceof TileResult.Encoded
        || result instanceof TileResult.Returned) {
      // Within-tile progress reaches the dashboard as the job's PROGRESS events, a video as its COMPLETED; a task
      // a paused job's worker handed back was not made, and its tile waits as it did.
      return;
    }
    synchronized (lock) {
      Job job = job(result.jobId());
      TileRect r = result.tile();
      TileView before = job.tileViews.get(r.index());
      int reports = before == null ? 1 : before.reports() + 1;
      TileView tile;
      Worker worker;
      switch (result) {
        case TileResult.Done d -> {
          tile = new TileView(r.index(), r.x(), r.y(), r.width(), r.height(), TileStatus.DONE, d.renderMs(),
              d.worker(), null, timestamp, reports, null);
          worker = worker(d.worker());
          if (before == null || before.status() != TileStatus.DONE) {
            worker.tiles++;
            worker.renderMsTotal += d.renderMs();
            worker.recent.addLast(timestamp);
            completions.addLast(timestamp);
          }
        }
        case TileResult.Failed f -> {
          String log = f.log() == null ? null : Routes.logUrl(result.jobId(), r.index());
          tile = new TileView(r.index(), r.x(), r.y(), r.width(), r.height(), TileStatus.FAILED, null, f.worker(),
              f.reason(), timestamp, reports, log);
          worker = worker(f.worker());
          worker.failures++;
          failedTiles.addFirst(new FailedTile(result.jobId(), r.index(), f.worker(), f.reason(), timestamp, log));
          while (failedTiles.size() > MAX_FAILED_TILES) {
            failedTiles.removeLast();
          }
        }
        case TileResult.Progress p ->
            throw new IllegalStateException("within-tile progress is no tile state (returned above)");
        case TileResult.Encoded e -> throw new IllegalStateException("a video is no tile state (returned above)");
        case TileResult.Returned t ->
            throw new IllegalStateException("a handed-back task is no tile state (returned above)");
      }
      worker.lastTile = timestamp;
      if (job.kind != null) {
        worker.kinds.add(job.kind);
      }
      job.tileViews.put(r.index(), tile);
      job.tiles = Math.max(job.tiles, result.tileCount());
      job.done = Math.max(job.done,
          (int) job.tileViews.values().stream().filter(t -> t.status() == TileStatus.DONE).count());
      job.failedTiles = (int) job.tileViews.values().stream().filter(t -> t.status() == TileStatus.FAILED).count();
      if (!job.ended() && (job.status == JobStatus.ACCEPTED || job.status == JobStatus.SUBMITTED)) {
        job.status = JobStatus.RUNNING;
      }
      if (!job.ended() && job.status != JobStatus.WAITING) {
        job.running();
      }
      trim(completions, timestamp);
      trim(worker.recent, timestamp);
      for (Listener l : listeners) {
        l.on(new TileSeen(job.id, tile));
      }
      changed(job);
    }
  }

  void onDeadLetter(DeadLetter letter) {
    String key = letter.keyBase64() != null ? decodeText(letter.keyBase64(), 128) : stored(letter.keyStored());
    String preview = letter.valueBase64() != null ? decodeText(letter.valueBase64(), 256)
        : stored(letter.valueStored());
    DeadLetter.Stored kept = letter.valueStored() != null ? letter.valueStored() : letter.keyStored();
    DeadLetterView view = new DeadLetterView(letter.sourceTopic(), letter.partition(), letter.offset(), key,
        letter.error(), letter.role(), letter.timestamp(), preview, kept == null ? null : kept.uri(),
        kept == null ? null : kept.size(), kept == null ? null : kept.sha256());
    synchronized (lock) {
      deadLetters.addFirst(view);
      while (deadLetters.size() > MAX_DEAD_LETTERS) {
        deadLetters.removeLast();
      }
      for (Listener l : listeners) {
        l.on(new DeadLettered(view));
      }
    }
  }

  /** A worker's heartbeat on the workers topic ({@code worker} is the record key). */
  void onHeartbeat(String worker, WorkerStatus status) {
    synchronized (lock) {
      worker(worker).heartbeat = status;
    }
  }

  /**
   * A worker's tombstone on the workers topic: it stopped. Its heartbeat is forgotten; the worker stays listed
   * (not live) only if it made tiles, whose counts are still worth showing, or is still in the share group.
   */
  void onWorkerGone(String worker) {
    synchronized (lock) {
      Worker w = workers.get(worker);
      if (w == null) {
        return;
      }
      w.heartbeat = null;
      if (!w.madeTiles() && !members.contains(w.id)) {
        workers.remove(worker);
      }
    }
  }

  /** The client ids of the share group's members, and the backlog, as last measured. */
  void onGroupState(Set<String> memberClientIds, List<Backlog> backlogNow) {
    synchronized (lock) {
      members = Set.copyOf(memberClientIds);
      backlog = List.copyOf(backlogNow);
      for (String id : members) {
        worker(id);
      }
    }
  }

  /** Bytes as text for people: UTF-8 with anything unprintable shown as '?', cut at {@code max} characters. */
  /** What a claim-checked side of a letter shows in place of its bytes. */
  private static String stored(DeadLetter.Stored s) {
    if (s == null) {
      return null;
    }
    return "(" + s.size() + " bytes, sha256 " + s.sha256() + ", " + (s.uri() == null ? "lost: they could not be kept"
        : "kept at " + s.uri()) + ")";
  }

  private static String decodeText(String base64, int max) {
    byte[] bytes;
    try {
      bytes = java.util.Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return "(not base64)";
    }
    String s = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < max; i++) {
      char c = s.charAt(i);
      out.append(c < 0x20 && c != '\n' && c != '\t' || c == '\uFFFD' ? '?' : c);
    }
    return s.length() > max ? out + "…" : out.toString();
  }

  private static void trim(Deque<Long> times, long now) {
    while (!times.isEmpty() && times.peekFirst() < now - THROUGHPUT_WINDOW_MS) {
      times.removeFirst();
    }
  }

  private Job job(String id) {
    return jobs.computeIfAbsent(id, Job::new);
  }

  private Worker worker(String id) {
    return workers.computeIfAbsent(id == null ? "(unknown)" : id, Worker::new);
  }

  private void changed(Job job) {
    JobSummary summary = job.summary();
    for (Listener l : listeners) {
      l.on(new JobChanged(summary));
    }
  }

  /** Keeps the view bounded: forgets the oldest ended jobs beyond {@code maxJobs}. */
  private void forgetOldJobs() {
    if (jobs.size() <= maxJobs) {
      return;
    }
    Iterator<Job> it = jobs.values().iterator();
    while (jobs.size() > maxJobs && it.hasNext()) {
      if (it.next().ended()) {
        it.remove();
      }
    }
  }

  /** Jobs, newest submission first; {@code status} filters when not null. */
  List<JobSummary> jobs(String status, int limit) {
    synchronized (lock) {
      List<JobSummary> out = new ArrayList<>();
      for (Job j : jobs.values()) {
        if (status == null || j.status.name().equalsIgnoreCase(status)) {
          out.add(j.summary());
        }
      }
      out.sort(Comparator.comparing((JobSummary s) -> firstNonNull(s.submittedAt(), s.acceptedAt(), 0L)).reversed());
      return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }
  }

  private static long firstNonNull(Long a, Long b, long fallback) {
    return a != null ? a : b != null ? b : fallback;
  }

  /** The job, or null if it was never seen. */
  JobDetail job(String id, boolean withTiles) {
    synchronized (lock) {
      Job j = jobs.get(id);
      return j == null ? null : detail(j, withTiles);
    }
  }

  /** An animation's frame numbers, as its request gave them; null for a job that is no animation or unknown. */
  JobRequest.Frames frames(String id) {
    synchronized (lock) {
      Job j = jobs.get(id);
      return j == null ? null : j.frames;
    }
  }

  private static JobDetail detail(Job j, boolean withTiles) {
    return new JobDetail(j.summary(), withTiles ? List.copyOf(j.tileViews.values()) : List.of(), List.copyOf(j.events));
  }

  /**
   * The COMPLETED events kept of a job ({@link #MAX_COMPLETED_KEPT} first and latest), newest first; empty if none
   * or the job is unknown.
   */
  List<JobEvent.Completed> completions(String id) {
    synchronized (lock) {
      Job j = jobs.get(id);
      if (j == null) {
        return List.of();
      }
      List<JobEvent.Completed> out = new ArrayList<>(j.firstCompleted);
      out.addAll(j.lastCompleted);
      java.util.Collections.reverse(out);
      return out;
    }
  }

  /**
   * Adds a listener, first handing {@code onSnapshot} the job's current state (null if unknown; or nothing
   * when {@code jobId} is null) under the same lock, so no update falls between the two.
   */
  void subscribe(String jobId, java.util.function.Consumer<JobDetail> onSnapshot, Listener listener) {
    synchronized (lock) {
      if (jobId != null) {
        Job j = jobs.get(jobId);
        onSnapshot.accept(j == null ? null : detail(j, true));
      }
      listeners.add(listener);
    }
  }

  void unsubscribe(Listener listener) {
    listeners.remove(listener);
  }

  /**
   * Every worker known, by id, but those gone for good. Health: {@code stale} when its last heartbeat is older
   * than the splitter's window (the splitter no longer counts it), else {@code busy} (a tile in the last minute)
   * or {@code idle} while it is live or in the share group, else {@code gone}. A stale or gone worker last seen
   * more than {@link #FORGET_GONE_MS} ago is forgotten (a worker that comes back is listed again).
   */
  List<WorkerView> workers(long now) {
    synchronized (lock) {
      List<WorkerView> out = new ArrayList<>();
      for (Iterator<Worker> it = workers.values().iterator(); it.hasNext(); ) {
        Worker w = it.next();
        trim(w.recent, now);
        long lastMinute = w.recent.stream().filter(t -> t >= now - 60_000).count();
        boolean member = members.contains(w.id);
        WorkerStatus hb = w.heartbeat;
        boolean live = hb != null && now - hb.timestamp() <= WorkerStatus.ALIVE_MS;
        long seen = Math.max(hb == null ? Long.MIN_VALUE : hb.timestamp(), w.lastTile == null ? Long.MIN_VALUE
            : w.lastTile);
        if (!live && !member && seen < now - FORGET_GONE_MS) {
          it.remove();
          continue;
        }
        String health;
        if (hb != null && !live) {
          health = "stale";
        } else if (live || member) {
          health = w.lastTile != null && w.lastTile >= now - 60_000 ? "busy" : "idle";
        } else {
          health = "gone";
        }
        Long lastHeartbeat = hb == null ? null : hb.timestamp();
        // Boxed on purpose: a member seen in the share group alone has neither.
        Long lastSeen = seen == Long.MIN_VALUE ? null : Long.valueOf(seen);
        out.add(new WorkerView(w.id, live, member, health, hb == null ? List.of() : hb.renderers(),
            hb == null ? null : hb.threads(), lastHeartbeat, lastSeen, w.tiles, w.failures, lastMinute / 60.0,
            w.tiles == 0 ? 0 : (double) w.renderMsTotal / w.tiles, List.copyOf(w.kinds)));
      }
      return out;
    }
  }

  /** The latest heartbeat of every worker that has one (the renderers the farm has, as the splitter sees them). */
  List<WorkerStatus> heartbeats() {
    synchronized (lock) {
      List<WorkerStatus> out = new ArrayList<>();
      for (Worker w : workers.values()) {
        if (w.heartbeat != null) {
          out.add(w.heartbeat);
        }
      }
      return out;
    }
  }

  List<DeadLetterView> deadLetters() {
    synchronized (lock) {
      return List.copyOf(deadLetters);
    }
  }

  Stats stats(long now) {
    synchronized (lock) {
      trim(completions, now);
      long lastMinute = completions.stream().filter(t -> t >= now - 60_000).count();
      long running = 0;
      long submitted = 0;
      long completed = 0;
      long failed = 0;
      for (Job j : jobs.values()) {
        switch (j.status) {
          case ACCEPTED, RUNNING -> running++;
          case SUBMITTED -> submitted++;
          case COMPLETED -> completed++;
          case FAILED, REJECTED, CANCELLED -> failed++;
        }
      }
      return new Stats(lastMinute / 60.0, lastMinute, running, submitted, completed, failed, backlog,
          List.copyOf(failedTiles));
    }
  }

  /** Jobs by status, for the {@code tilefarm.api.jobs} gauge. */
  long count(JobStatus status) {
    synchronized (lock) {
      return jobs.values().stream().filter(j -> j.status == status).count();
    }
  }
}
