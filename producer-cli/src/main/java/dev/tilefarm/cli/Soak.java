package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Many small jobs in a row, batch after batch, counting how each ended and sampling this process's heap
 * after each batch (after a GC): with an embedded farm the roles run in this process, so a leak in any of
 * them shows as a rising line. A job with no end is lost.
 */
final class Soak {
  /** What a soak run saw: job counts by end, and the heap in MiB after each batch. */
  record Report(int jobs, int completed, int failed, int lost, List<Long> heapMiB, long millis) {
    /** Heap growth from the first quarter's highest sample to the last sample, in MiB. */
    long heapGrowthMiB() {
      if (heapMiB.isEmpty()) {
        return 0;
      }
      long warm = heapMiB.subList(0, Math.max(1, heapMiB.size() / 4)).stream().mapToLong(Long::longValue).max()
          .orElse(0);
      return heapMiB.get(heapMiB.size() - 1) - warm;
    }
  }

  private Soak() {}

  static Report run(Farm farm, int jobs, int batch, Duration batchTimeout, Progress progress)
      throws InterruptedException {
    long start = System.nanoTime();
    int completed = 0;
    int failed = 0;
    int lost = 0;
    List<Long> heap = new ArrayList<>();
    String run = Long.toHexString(System.currentTimeMillis());
    try (JobClient client = new JobClient(farm.settings())) {
      for (int first = 0; first < jobs; first += batch) {
        var from = client.eventPositions();
        List<String> ids = new ArrayList<>();
        for (int i = first; i < Math.min(jobs, first + batch); i++) {
          ids.add(client.submit(job("soak-" + run + "-" + i, i)));
        }
        Map<String, JobEvent> ends;
        try {
          ends = client.await(ids, Set.of(), from, batchTimeout, e -> { });
        } catch (TimeoutException e) {
          ends = Map.of();
          progress.note("batch at job " + first + " timed out: " + e.getMessage());
        }
        for (String id : ids) {
          JobEvent end = ends.get(id);
          if (end instanceof JobEvent.Completed) {
            completed++;
          } else if (end == null) {
            lost++;
          } else {
            failed++;
          }
        }
        heap.add(usedHeapMiB());
        progress.bar(Math.min(jobs, first + batch), jobs, "soak: " + completed + " completed, " + lost + " lost");
      }
    }
    progress.clearBar();
    return new Report(jobs, completed, failed, lost, heap,
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }

  /** A one-tile Mandelbrot job, a little different each time so no two are alike. */
  static ObjectNode job(String id, int i) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", id).put("type", "render").put("renderer", "mandelbrot").put("width", 32).put("height", 32);
    job.putObject("scene").put("iterations", 64 + (i % 64));
    return job;
  }

  static long usedHeapMiB() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    return (rt.totalMemory() - rt.freeMemory()) >> 20;
  }
}
