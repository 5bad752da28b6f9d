package dev.tilefarm.splitter;

/**
 * What the {@link Dispatcher} keeps of an accepted job until it ends (JSON in the queued-jobs store, keyed by job
 * id): where its tasks go, how soon, how many it has released and how many of those are still out.
 *
 * @param sink the tile task sink (lane) of its tasks
 * @param priority 0 to 100, higher first
 * @param pausedAt when it was paused, or 0 while it is not
 * @param pausedMs how long it was paused before, in all: a released task's deadline moves on by as much
 * @param acceptedAt when it was accepted (its tasks' and tile results' acceptedAt)
 * @param chain whether its tasks are a statistics pass (only pass 0's results settle them; the compositor
 *     releases later passes)
 * @param packTiles tiles per task (1, or the pack size): a task is out until all its tiles are settled
 * @param tasks how many tasks it has
 * @param next how many of them are released (the next one's number)
 * @param inFlight tiles of released tasks not settled yet (by a DONE or FAILED result)
 * @param served when it was last given a release, on the dispatcher's counter (0: never)
 * @param admitted its place in the order jobs were admitted
 * @param deadline its tasks' deadline as planned (epoch ms), before any pause moved it on; null: none. A task a
 *     worker hands back is queued with it again (see {@link Dispatcher#settle}).
 */
record QueuedJob(String jobId, String sink, int priority, long pausedAt, long pausedMs, long acceptedAt,
    boolean chain, int packTiles, int tasks, int next, int inFlight, long served, long admitted, Long deadline) {
  QueuedJob {
    if (packTiles < 1 || tasks < 0 || next < 0 || next > tasks || inFlight < 0) {
      throw new IllegalArgumentException("job " + jobId + ": bad queue counts (packTiles " + packTiles + ", tasks "
          + tasks + ", next " + next + ", inFlight " + inFlight + ")");
    }
  }

  boolean paused() {
    return pausedAt > 0;
  }

  int pending() {
    return tasks - next;
  }

  /** Released tasks not yet settled: a pack is out while any of its tiles is. */
  int tasksInFlight() {
    return (inFlight + packTiles - 1) / packTiles;
  }

  QueuedJob released(int count, int tiles, long servedAt) {
    return new QueuedJob(jobId, sink, priority, pausedAt, pausedMs, acceptedAt, chain, packTiles, tasks,
        next + count, inFlight + tiles, servedAt, admitted, deadline);
  }

  /**
   * A released task of {@code tiles} tiles handed back by a worker: it is no longer out, and it is the next one to
   * release again (the count of released tasks steps back over it).
   */
  QueuedJob handedBack(int tiles) {
    return new QueuedJob(jobId, sink, priority, pausedAt, pausedMs, acceptedAt, chain, packTiles, tasks, next - 1,
        Math.max(0, inFlight - tiles), served, admitted, deadline);
  }

  QueuedJob settled(int tiles) {
    return new QueuedJob(jobId, sink, priority, pausedAt, pausedMs, acceptedAt, chain, packTiles, tasks, next,
        Math.max(0, inFlight - tiles), served, admitted, deadline);
  }

  QueuedJob withPriority(int p) {
    return new QueuedJob(jobId, sink, p, pausedAt, pausedMs, acceptedAt, chain, packTiles, tasks, next, inFlight,
        served, admitted, deadline);
  }

  QueuedJob pause(long now) {
    return paused() ? this : new QueuedJob(jobId, sink, priority, Math.max(1, now), pausedMs, acceptedAt, chain,
        packTiles, tasks, next, inFlight, served, admitted, deadline);
  }

  /** Resumed at {@code now}: the time since the pause is added to {@link #pausedMs}. */
  QueuedJob resume(long now) {
    return !paused() ? this : new QueuedJob(jobId, sink, priority, 0, pausedMs + Math.max(0, now - pausedAt),
        acceptedAt, chain, packTiles, tasks, next, inFlight, served, admitted, deadline);
  }
}
