package dev.tilefarm.bench.pipeline;

import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.TileTask;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * When each tile of a job was handed out and settled, from the records' times: its task's on the tile tasks topic
 * (the splitter's send), its first DONE result's on the tile results topic (the worker's send, after it stored the
 * tile) and the render time the worker reports. Only unpacked tiles (one task each).
 */
record TileTimes(Map<Integer, Long> taskAt, Map<Integer, Long> doneAt, Map<Integer, Long> renderMs) {
  /** The times of a job that completed: every tile task has its DONE result. */
  static TileTimes of(BenchFarm farm, String jobId) {
    TileTimes times = soFar(farm, jobId);
    if (times.tiles() == 0 || times.settled() != times.tiles()) {
      throw new IllegalStateException("job " + jobId + ": " + times.tiles() + " tile tasks but " + times.settled()
          + " tiles done");
    }
    return times;
  }

  /** The times of a job's tiles settled so far (all of them, or those done before it was cancelled). */
  static TileTimes soFar(BenchFarm farm, String jobId) {
    Map<Integer, Long> tasks = new HashMap<>();
    Map<Integer, Long> done = new HashMap<>();
    Map<Integer, Long> render = new HashMap<>();
    TopicRecords.readAll(farm.bootstrapServers(), farm.tileTasksTopic(), r -> {
      TileTask t = decode(r.value(), TileTask.class, jobId);
      if (t != null && t.jobId().equals(jobId)) {
        tasks.putIfAbsent(t.tile().index(), r.timestamp());
      }
    });
    TopicRecords.readAll(farm.bootstrapServers(), farm.tileResultsTopic(), r -> {
      if (decode(r.value(), TileResult.class, jobId) instanceof TileResult.Done d && d.jobId().equals(jobId)
          && !done.containsKey(d.tile().index())) {
        done.put(d.tile().index(), r.timestamp());
        render.put(d.tile().index(), d.renderMs());
      }
    });
    if (!tasks.keySet().containsAll(done.keySet())) {
      throw new IllegalStateException("job " + jobId + ": " + tasks.size() + " tile tasks and " + done.size()
          + " tiles done, not of the same tiles");
    }
    return new TileTimes(tasks, done, render);
  }

  private static <T> T decode(byte[] value, Class<T> type, String jobId) {
    try {
      return Json.MAPPER.readValue(value, type);
    } catch (IOException e) {
      throw new IllegalStateException("reading the times of job " + jobId + ": an undecodable " + type.getSimpleName(),
          e);
    }
  }

  /** The job's tiles (its tile tasks). */
  int tiles() {
    return taskAt.size();
  }

  /** The tiles with a DONE result. */
  int settled() {
    return doneAt.size();
  }

  /** Tiles settled per second: those settled over the span from the first task to the last result (0 if none). */
  double settledPerSecond() {
    if (doneAt.isEmpty()) {
      return 0;
    }
    long first = taskAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
    long last = doneAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    return settled() / (Math.max(1, last - first) / 1000.0);
  }

  /**
   * Each tile's wait from its task to the start of its render: the result's time less the render time, less the
   * task's time (so it also holds the store and announce after the render, a few ms for a black tile). Settled
   * tiles only.
   */
  BenchStats taskToStart() {
    BenchStats s = new BenchStats();
    doneAt.forEach((i, done) -> s.add(done - renderMs.get(i) - taskAt.get(i)));
    return s;
  }
}
