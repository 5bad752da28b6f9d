package dev.tilefarm.schemas;

import java.util.ArrayList;
import java.util.Collection;
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

  /**
   * Why none of the workers present at {@code now} (of these latest heartbeats) can run {@code renderer}, or
   * null if one can, if the renderer is built into every worker, or if no worker is present at all (a job then
   * waits for workers like any other). The splitter rejects a job with this reason, naming {@code renderer}; the
   * HTTP API refuses it at submission with the same words.
   */
  public static String missingRenderer(Renderer renderer, Collection<WorkerStatus> heartbeats, long now) {
    if (!renderer.external()) {
      return null;
    }
    List<String> present = new ArrayList<>();
    for (WorkerStatus w : heartbeats) {
      if (now - w.timestamp() > ALIVE_MS) {
        continue;
      }
      if (w.renderers().contains(renderer.id())) {
        return null;
      }
      present.add(w.worker() + " (" + String.join(", ", w.renderers()) + ")");
    }
    if (present.isEmpty()) {
      return null;
    }
    if (!renderer.renders()) {
      return "no worker of this farm has " + renderer.id() + " to encode videos (workers: " + String.join("; ", present)
          + "); a worker offers it when " + renderer.id() + " is installed on its machine";
    }
    return "no worker of this farm has the " + renderer.id() + " renderer (workers: "
        + String.join("; ", present) + "); a worker offers it when " + renderer.id()
        + " and bubblewrap are installed on its machine";
  }
}
