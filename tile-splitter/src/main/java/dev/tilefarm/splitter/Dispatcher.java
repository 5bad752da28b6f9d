package dev.tilefarm.splitter;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases accepted jobs' tile tasks to their lanes (task topics) as the workers have room, instead of all at once:
 * a lane holds at most its window of released, unsettled tasks (see {@link Windows}); the rest wait in the
 * queued-tasks store, and {@link ReleaseOrder} picks which go next as results settle tasks. A job's tasks go
 * straight out, with no store on the way, when its lane has room and no job of its priority or above waits.
 *
 * <p>State lives in two changelogged stores of the splitter's task (the job's partition), written in the
 * transaction of the record that changed it: queued-jobs (job id -> {@link QueuedJob} as JSON) and queued-tasks
 * ("jobId/NNNNNNNNNN" -> the task not yet released). The map here mirrors queued-jobs and is rebuilt from it when
 * the task starts. A job is forgotten when the compositor says it ENDED.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  /** Its store of jobs: job id -> what it keeps of the job (JSON {@link QueuedJob}). */
  static final String JOBS_STORE = "queued-jobs";
  /** Its store of tasks: "jobId/NNNNNNNNNN" -> a task not released yet. */
  static final String TASKS_STORE = "queued-tasks";

  /** A lane's base window: how many released, unsettled tasks it may hold (for priority 50 and below). */
  @FunctionalInterface
  interface Windows {
    /** No limit: every task is released at once, first in first out (the farm before priorities). */
    Windows UNLIMITED = sink -> Integer.MAX_VALUE;

    int window(String sink);
  }

  /** Where released tasks go: the sink of their lane. */
  @FunctionalInterface
  interface Output {
    void release(String sink, TileTask task);
  }

  private final KeyValueStore<String, String> jobStore;
  private final KeyValueStore<String, TileTask> taskStore;
  private final Windows windows;
  private final Output output;
  private final Map<String, QueuedJob> jobs = new HashMap<>();
  private long tick;
  private long admissions;

  Dispatcher(KeyValueStore<String, String> jobStore, KeyValueStore<String, TileTask> taskStore, Windows windows,
      Output output) {
    this.jobStore = jobStore;
    this.taskStore = taskStore;
    this.windows = windows;
    this.output = output;
    try (KeyValueIterator<String, String> all = jobStore.all()) {
      while (all.hasNext()) {
        KeyValue<String, String> e = all.next();
        QueuedJob job = decode(e.value);
        jobs.put(e.key, job);
        tick = Math.max(tick, job.served());
        admissions = Math.max(admissions, job.admitted());
      }
    }
  }

  /** The job as the dispatcher holds it, or null: not accepted here, or ended. */
  QueuedJob job(String jobId) {
    return jobs.get(jobId);
  }

  /** Jobs the dispatcher holds (for tests and logs). */
  int jobs() {
    return jobs.size();
  }

  /** Takes an accepted job's tasks (in the order they should go), releasing what its lane has room for. */
  void admit(String jobId, String sink, int priority, long acceptedAt, List<TileTask> tasks) {
    admit(jobId, sink, priority, acceptedAt, tasks, 0);
  }

  /**
   * As {@link #admit(String, String, int, long, List)}; {@code pausedAt} &gt; 0 admits it paused from then (a job
   * paused while it waited for others): nothing is released until it is resumed.
   */
  void admit(String jobId, String sink, int priority, long acceptedAt, List<TileTask> tasks, long pausedAt) {
    if (jobs.containsKey(jobId)) {
      // A retry's run, come before the end of the last run was seen here: the new run replaces what is left.
      ended(jobId);
    }
    boolean chain = !tasks.isEmpty() && tasks.get(0).work() instanceof TileTask.Work.PassTile;
    int packTiles = !tasks.isEmpty() && tasks.get(0).work() instanceof TileTask.Work.Pack p ? p.packTiles() : 1;
    QueuedJob job = new QueuedJob(jobId, sink, priority, 0, 0, acceptedAt, chain, packTiles, tasks.size(), 0, 0, 0,
        ++admissions, tasks.isEmpty() ? null : tasks.get(0).deadline());
    if (pausedAt > 0) {
      job = job.pause(pausedAt);
    }
    int direct = 0;
    if (!job.paused() && !othersWait(sink, priority)) {
      long room = (long) ReleaseOrder.window(windows.window(sink), priority) - inFlight(sink);
      direct = (int) Math.max(0, Math.min(room, tasks.size()));
    }
    int tiles = 0;
    for (int i = 0; i < direct; i++) {
      output.release(sink, tasks.get(i));
      tiles += tiles(tasks.get(i));
    }
    if (direct > 0) {
      job = job.released(direct, tiles, ++tick);
    }
    for (int i = direct; i < tasks.size(); i++) {
      taskStore.put(taskKey(jobId, i), tasks.get(i));
    }
    put(job);
    if (direct < tasks.size()) {
      log.info("job {}: {} of its {} tasks released, {} wait for room in {} (priority {})", jobId, direct,
          tasks.size(), tasks.size() - direct, sink, priority);
    }
  }

  /**
   * A tile result: a DONE or FAILED tile of a released task makes room in its lane; so does a task a worker handed
   * back (RETURNED, its job paused), which goes back in the job's queue to be released first when the job is
   * resumed (see {@link #requeue}). A result of a run not held here (ended, or an earlier run) changes nothing.
   */
  void settle(TileResult result) {
    QueuedJob job = jobs.get(result.jobId());
    if (job == null || result.acceptedAt() != job.acceptedAt()) {
      return;
    }
    int tiles = switch (result) {
      // A chain's later passes are the compositor's tasks: only pass 0's results settle what was released here.
      case TileResult.Done d -> (job.chain() ? Integer.valueOf(0).equals(d.pass()) : d.pass() == null) ? 1 : 0;
      case TileResult.Failed f -> 1;
      case TileResult.Progress p -> 0;
      case TileResult.Encoded e -> 0; // the video task is the compositor's, never released here
      case TileResult.Returned r -> {
        requeue(job, r.task());
        yield 0;
      }
    };
    if (tiles > 0 && job.inFlight() > 0) {
      put(job.settled(tiles));
      release(job.sink());
    }
  }

  /**
   * Puts a released task a worker handed back into the slot before the job's next one (empty: a task's slot is
   * cleared when it goes out), so the job's queue gives it next; the room it held is free. Its deadline is the
   * planned one again, since {@link #release} moves it on by the time paused, as for every queued task. Being
   * written to the stores in the transaction of the result, a hand-back counts once, whatever restarts.
   */
  private void requeue(QueuedJob job, TileTask task) {
    if (job.next() == 0 || !TileResult.Returned.returnable(task)) {
      log.warn("job {}: dropping {} handed back by a worker: the splitter released no such task", job.jobId(),
          task.label());
      return;
    }
    QueuedJob back = job.handedBack(tiles(task));
    taskStore.put(taskKey(job.jobId(), back.next()), withDeadline(task, job.deadline()));
    put(back);
    log.info("job {}: {} handed back{}", job.jobId(), task.label(), job.paused() ? ", queued for the resume" : "");
    release(job.sink());
  }

  /** Lets go of every job {@code ended} says has ended (see {@link #ended}). */
  void endedWhere(java.util.function.Predicate<String> ended) {
    for (String jobId : List.copyOf(jobs.keySet())) {
      if (ended.test(jobId)) {
        ended(jobId);
      }
    }
  }

  /** The job ended: its waiting tasks are dropped and its released ones no longer count against the lane. */
  void ended(String jobId) {
    QueuedJob job = jobs.remove(jobId);
    if (job == null) {
      return;
    }
    jobStore.delete(jobId);
    List<String> keys = new ArrayList<>();
    // Job ids hold no '/', and '0' follows it: the range is exactly this job's task keys.
    try (KeyValueIterator<String, TileTask> left = taskStore.range(jobId + "/", jobId + "0")) {
      left.forEachRemaining(e -> keys.add(e.key));
    }
    keys.forEach(taskStore::delete);
    if (!keys.isEmpty()) {
      log.info("job {} ended with {} tasks never released", jobId, keys.size());
    }
    release(job.sink());
  }

  /** Pauses the job; null if the dispatcher does not hold it or it is paused already. */
  QueuedJob pause(String jobId, long now) {
    QueuedJob job = jobs.get(jobId);
    if (job == null || job.paused()) {
      return null;
    }
    QueuedJob paused = job.pause(now);
    put(paused);
    return paused;
  }

  /** Resumes the job, releasing what its lane has room for; null if it is not held or not paused. */
  QueuedJob resume(String jobId, long now) {
    QueuedJob job = jobs.get(jobId);
    if (job == null || !job.paused()) {
      return null;
    }
    QueuedJob resumed = job.resume(now);
    put(resumed);
    release(resumed.sink());
    return resumed;
  }

  /** Gives the job a new priority (its waiting tasks move in the queue); null if it is not held. */
  QueuedJob reprioritize(String jobId, int priority) {
    QueuedJob job = jobs.get(jobId);
    if (job == null) {
      return null;
    }
    QueuedJob changed = job.withPriority(priority);
    put(changed);
    release(changed.sink());
    return changed;
  }

  /** Releases what every lane has room for (its window may have grown as workers joined). */
  void releaseAll() {
    List<String> sinks = jobs.values().stream().map(QueuedJob::sink).distinct().toList();
    sinks.forEach(this::release);
  }

  private void release(String sink) {
    List<ReleaseOrder.Waiting> waiting = new ArrayList<>();
    for (QueuedJob j : jobs.values()) {
      if (j.sink().equals(sink) && !j.paused() && j.pending() > 0) {
        waiting.add(new ReleaseOrder.Waiting(j.jobId(), j.priority(), j.pending(), j.served(), j.admitted()));
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    int base = windows.window(sink);
    List<String> order = ReleaseOrder.choose(waiting, inFlight(sink), p -> ReleaseOrder.window(base, p));
    Map<String, QueuedJob> changed = new HashMap<>();
    for (String jobId : order) {
      QueuedJob job = changed.getOrDefault(jobId, jobs.get(jobId));
      String key = taskKey(jobId, job.next());
      TileTask task = taskStore.get(key);
      if (task == null) {
        throw new IllegalStateException("job " + jobId + " has no task " + job.next() + " in the queue (of "
            + job.tasks() + ")");
      }
      taskStore.delete(key);
      output.release(sink, withPauses(task, job));
      changed.put(jobId, job.released(1, tiles(task), ++tick));
    }
    changed.values().forEach(this::put);
  }

  /** Released tasks of a lane not settled yet. */
  private int inFlight(String sink) {
    int n = 0;
    for (QueuedJob j : jobs.values()) {
      if (j.sink().equals(sink)) {
        n += j.tasksInFlight();
      }
    }
    return n;
  }

  /** Whether a job of the lane with {@code priority} or above has tasks waiting (it goes first). */
  private boolean othersWait(String sink, int priority) {
    for (QueuedJob j : jobs.values()) {
      if (j.sink().equals(sink) && !j.paused() && j.pending() > 0 && j.priority() >= priority) {
        return true;
      }
    }
    return false;
  }

  /** A task of a job that was paused carries a deadline later by the time paused, as the compositor's is. */
  private static TileTask withPauses(TileTask t, QueuedJob job) {
    if (t.deadline() == null || job.pausedMs() == 0) {
      return t;
    }
    return withDeadline(t, t.deadline() + job.pausedMs());
  }

  private static TileTask withDeadline(TileTask t, Long deadline) {
    return java.util.Objects.equals(t.deadline(), deadline) ? t : new TileTask(t.jobId(), t.tileCount(),
        t.imageWidth(), t.imageHeight(), t.output(), t.tileUri(), t.acceptedAt(), t.job(), t.jobUri(), deadline,
        t.work());
  }

  private static int tiles(TileTask task) {
    return task.work() instanceof TileTask.Work.Pack p ? p.tiles().size() : 1;
  }

  static String taskKey(String jobId, int n) {
    return jobId + "/" + String.format("%010d", n);
  }

  private void put(QueuedJob job) {
    jobs.put(job.jobId(), job);
    try {
      jobStore.put(job.jobId(), Json.MAPPER.writeValueAsString(job));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static QueuedJob decode(String json) {
    try {
      return Json.MAPPER.readValue(json, QueuedJob.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("a queued job that is not one: " + json, e);
    }
  }
}
