package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Latency: one-tile jobs from submit to COMPLETED read back, split into the hops between the roles. */
final class LatencySection implements SharedFarmSection {
  /** Issue 18's aim on the one-tile job's latency, submit to COMPLETED read back, at the median. */
  static final Aim P50 = Aim.atMost(60, "p50 ≤ 60 ms");

  @Override
  public Result run(Bench bench, BenchFarm farm) throws Exception {
    int n = bench.quick() ? 10 : Math.max(30, bench.runs() * 20);
    BenchStats total = new BenchStats();
    BenchStats toAccepted = new BenchStats();
    BenchStats toTile = new BenchStats();
    BenchStats toCompleted = new BenchStats();
    BenchStats toClient = new BenchStats();
    BenchStats assemble = new BenchStats();
    Map<String, long[]> marks = new HashMap<>(); // id -> {submit, accepted, completed event, received}
    try (BenchFarm.EventClient client = farm.eventClient()) {
      for (int i = 0; i < n + 3; i++) {
        ObjectNode job = Json.MAPPER.createObjectNode();
        String id = "latency-" + System.nanoTime();
        job.put("id", id);
        job.put("type", "render");
        job.put("renderer", "mandelbrot");
        job.put("width", 64);
        job.put("height", 64);
        var from = client.positions();
        long[] m = new long[4];
        m[0] = System.currentTimeMillis();
        long t0 = System.nanoTime();
        client.submit(job);
        JobEvent.Completed c = client.await(id, from, Duration.ofMinutes(2), e -> {
          switch (e) {
            case JobEvent.Accepted a -> m[1] = a.timestamp();
            case JobEvent.Completed done -> {
              m[2] = done.timestamp();
              m[3] = System.currentTimeMillis();
            }
            default -> { } // the other events mark no hop
          }
        });
        if (i >= 3) { // the first few warm up the JIT and the connections
          total.add((System.nanoTime() - t0) / 1e6);
          assemble.add(c.timings().assemble());
          marks.put(id, m);
        }
      }
    }
    Map<String, Long> tileAt = tileResultTimes(farm, marks.keySet());
    marks.forEach((id, m) -> {
      toAccepted.add(m[1] - m[0]);
      Long t = tileAt.get(id);
      if (t != null) {
        toTile.add(t - m[1]);
        toCompleted.add(m[2] - t);
      }
      toClient.add(m[3] - m[2]);
    });
    Row row = new Row("Latency: submit → COMPLETED, one-tile job (p50; " + n + " jobs)",
        String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", total.percentile(50), total.percentile(99)),
        "assembly alone: p50 " + String.format(Locale.ROOT, "%.0f ms", assemble.percentile(50)), "—",
        P50.text(), P50.reachedBy(total.percentile(50)));
    String note = String.format(Locale.ROOT, "**Latency** (client-side wall time, publish to COMPLETED read back, "
        + "read_committed): min %.0f ms, p50 %.0f ms, p99 %.0f ms, max %.0f ms. Per hop (p50, from the events' "
        + "timestamps and the tile result's record time): client → splitter ACCEPTED %.0f ms; ACCEPTED → worker "
        + "published the tile result %.0f ms; tile result → compositor COMPLETED %.0f ms (assembly %.0f ms of it); "
        + "COMPLETED → client read it %.0f ms.",
        total.min(), total.percentile(50), total.percentile(99), total.max(), toAccepted.percentile(50),
        toTile.isEmpty() ? Double.NaN : toTile.percentile(50),
        toCompleted.isEmpty() ? Double.NaN : toCompleted.percentile(50),
        assemble.percentile(50), toClient.percentile(50));
    List<String> notes = new java.util.ArrayList<>(List.of(note));
    if (!row.reached()) {
      notes.add(Bottleneck.note("Latency", bottleneck(total.percentile(50), toAccepted, toTile, toCompleted,
          toClient)));
    }
    return new Result(List.of(row), notes);
  }

  /** The hop with the largest median, against the aim and the whole median. */
  static String bottleneck(double p50, BenchStats accepted, BenchStats tile, BenchStats completed,
      BenchStats client) {
    String[] names = {"the splitter hop (a job is visible downstream only after the splitter's transaction commits)",
        "the worker hop (share-group fetch of the task, render, tile put, result publish)",
        "the compositor hop (fetch of the result, assembly, transaction commit)",
        "the client's read of the event (visible after the compositor's commit)"};
    BenchStats[] all = {accepted, tile, completed, client};
    int worst = 0;
    for (int i = 1; i < all.length; i++) {
      if (!all[i].isEmpty() && (all[worst].isEmpty() || all[i].percentile(50) > all[worst].percentile(50))) {
        worst = i;
      }
    }
    return String.format(Locale.ROOT, "%s: p50 %.0f ms of the whole p50 %.0f ms (aim %s)", names[worst],
        all[worst].percentile(50), p50, P50.text());
  }

  /** When each job's (single) tile result was published: the record's create time on the results topic. */
  private static Map<String, Long> tileResultTimes(BenchFarm farm, Set<String> ids) {
    Map<String, Long> out = new HashMap<>();
    TopicRecords.readAll(farm.bootstrapServers(), farm.tileResultsTopic(), r -> {
      String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
      if (key != null && ids.contains(key)) {
        out.putIfAbsent(key, r.timestamp());
      }
    });
    return out;
  }
}
