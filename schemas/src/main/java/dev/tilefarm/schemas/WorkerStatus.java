package dev.tilefarm.schemas;

import java.util.List;
import java.util.Objects;

/**
 * A worker's heartbeat on the workers topic (key = worker id, compacted): the renderers it can run, which
 * decides the tile task topics it takes tiles from ({@link Topics#tileTasksFor}). Published at start-up and
 * every {@link #INTERVAL_MS} ms; a worker that stops publishes a tombstone (null value). The splitter counts a
 * worker as present while its last heartbeat is younger than {@link #ALIVE_MS}.
 */
public record WorkerStatus(String worker, List<String> renderers, int threads, long timestamp) {
  public static final long INTERVAL_MS = 10_000;
  public static final long ALIVE_MS = 3 * INTERVAL_MS;

  public WorkerStatus {
    Objects.requireNonNull(worker, "worker");
    renderers = List.copyOf(renderers);
  }
}
