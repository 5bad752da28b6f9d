package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scheduling: a one-tile job of the same priority and a 16-tile priority-90 job, each submitted while a large job
 * keeps every worker busy, against the same jobs on the idle farm: time to their first tile and to COMPLETED.
 */
final class SchedulingSection implements SharedFarmSection {
  /** Tiles of 64 x 64 pixels all inside the Mandelbrot set, so each costs its full iterations. */
  static ObjectNode job(String id, int columns, int rows, int priority) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", id);
    job.put("type", "render");
    job.put("renderer", "mandelbrot");
    job.put("width", 64 * columns);
    job.put("height", 64 * rows);
    job.put("tileSize", 64);
    job.put("priority", priority);
    ObjectNode scene = job.putObject("scene");
    scene.putArray("center").add(-0.1).add(0);
    scene.put("zoom", 50);
    scene.put("iterations", 1500);
    return job;
  }

  /** What one timed job took: to its first tile result and to its COMPLETED, from its submission. */
  record Timing(double firstTileMs, double completedMs) {}

  @Override
  public Result run(Bench bench, BenchFarm farm) throws Exception {
    int columns = 40;
    int rows = bench.quick() ? 15 : 50;
    String big = "sched-big-" + System.nanoTime();
    Timing smallAlone;
    Timing highAlone;
    Timing smallBeside;
    Timing highBeside;
    try (BenchFarm.EventClient client = farm.eventClient()) {
      smallAlone = timed(farm, client, job("sched-small-alone-" + System.nanoTime(), 1, 1, 50));
      highAlone = timed(farm, client, job("sched-high-alone-" + System.nanoTime(), 16, 1, 90));
      client.submit(job(big, columns, rows, 50));
      Thread.sleep(3_000); // the large job's tiles fill every lane
      smallBeside = timed(farm, client, job("sched-small-" + System.nanoTime(), 1, 1, 50));
      highBeside = timed(farm, client, job("sched-high-" + System.nanoTime(), 16, 1, 90));
      client.cancel(big);
    }
    int bigTiles = columns * rows;
    Row small = row("Scheduling: one-tile job beside a " + bigTiles + "-tile job of its priority", smallBeside,
        smallAlone, "COMPLETED < 5 s", smallBeside.completedMs() < 5_000);
    Row high = row("Scheduling: 16-tile priority-90 job beside a " + bigTiles + "-tile priority-50 job", highBeside,
        highAlone, "first tile < 2 s", highBeside.firstTileMs() < 2_000);
    String note = "**Scheduling** (mandelbrot tiles of 64 x 64 pixels inside the set, 1500 iterations each; first "
        + "tile: the job's first tile result's record time; load average " + loadAverage() + "): the large job "
        + "keeps its lane's window of tasks out, so a job submitted after it waits behind at most that window, "
        + "not behind its " + bigTiles + " tiles; a priority-90 job is released first and with a five times wider "
        + "window. The large job is cancelled afterwards.";
    return new Result(List.of(small, high), List.of(note));
  }

  /** A row comparing a job's timings beside the large job with its timings alone. */
  private static Row row(String title, Timing beside, Timing alone, String target, boolean met) {
    return new Row(title,
        String.format(Locale.ROOT, "first tile %.0f ms, COMPLETED %.0f ms", beside.firstTileMs(), beside.completedMs()),
        String.format(Locale.ROOT, "alone: %.0f ms, %.0f ms", alone.firstTileMs(), alone.completedMs()),
        String.format(Locale.ROOT, "%.1fx", beside.completedMs() / alone.completedMs()),
        target, met);
  }

  private static Timing timed(BenchFarm farm, BenchFarm.EventClient client, ObjectNode job) throws Exception {
    String id = job.get("id").asText();
    var from = client.positions();
    long submitted = System.currentTimeMillis();
    long t0 = System.nanoTime();
    client.submit(job);
    client.await(id, from, Duration.ofMinutes(5), e -> { });
    double completed = (System.nanoTime() - t0) / 1e6;
    Long first = firstTileResults(farm, Set.of(id)).get(id);
    return new Timing(first == null ? Double.NaN : first - submitted, completed);
  }

  /**
   * When each job's first tile result was published: the earliest record time on the results topic, of a tile that
   * was made (not a paused job's task handed back, RETURNED).
   */
  private static Map<String, Long> firstTileResults(BenchFarm farm, Set<String> ids) {
    Map<String, Long> out = new HashMap<>();
    TopicRecords.readAll(farm.bootstrapServers(), farm.tileResultsTopic(), r -> {
      String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
      if (key != null && ids.contains(key) && !returned(r.value())) {
        out.merge(key, r.timestamp(), Math::min);
      }
    });
    return out;
  }

  private static boolean returned(byte[] value) {
    try {
      return Json.MAPPER.readValue(value, dev.tilefarm.schemas.TileResult.class)
          instanceof dev.tilefarm.schemas.TileResult.Returned;
    } catch (IOException e) {
      return false; // not a result the farm wrote: the compositor dead-letters it, timed here as it came
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
