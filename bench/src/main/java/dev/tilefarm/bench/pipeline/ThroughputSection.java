package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.TileResult;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tile throughput in matching units: many cheap tiles through the farm, counted as tiles, tasks, S3 objects and
 * Kafka records, each against the raw limit of the same unit measured on the same broker and S3 server in the same
 * run.
 */
final class ThroughputSection implements SharedFarmSection {
  /** About a tile task with its inline job, and a tile result: what one Kafka record of the farm carries. */
  private static final int RECORD_BYTES = 600;

  @Override
  public Result run(Bench bench, BenchFarm farm) throws Exception {
    int side = bench.quick() ? 512 : 2048;
    int tile = 16;
    int tiles = (side / tile) * (side / tile);
    BenchStats tileRate = new BenchStats();
    BenchStats objectRate = new BenchStats();
    BenchStats recordRate = new BenchStats();
    BenchStats kafkaRaw = new BenchStats();
    BenchStats s3Raw = new BenchStats();
    int objects = 0;
    int objectBytes = 0;
    JvmCpu.Span jobCpu = null;
    for (int i = 0; i < bench.runs(); i++) {
      ObjectNode job = Jobs.mandelbrot("throughput", side, tile, 1);
      JvmCpu cpu0 = JvmCpu.read();
      long t0 = System.nanoTime();
      farm.complete(job);
      double seconds = (System.nanoTime() - t0) / 1e9;
      jobCpu = JvmCpu.read().since(cpu0);
      long[] counted = tileObjects(farm, job.get("id").asText(), tiles);
      objects = (int) counted[0];
      objectBytes = (int) Math.max(1, counted[1] / counted[0]);
      tileRate.add(tiles / seconds);
      objectRate.add(objects / seconds);
      // Kafka records a job of this many tiles costs: a task record per object, a result record per tile.
      recordRate.add((objects + tiles) / seconds);
      kafkaRaw.add(RawLimits.kafkaRecordsPerSecond(farm.bootstrapServers(), bench.quick() ? 20_000 : 100_000,
          RECORD_BYTES));
      s3Raw.add(RawLimits.s3ObjectsPerSecond(farm, bench.quick() ? 300 : 2000, objectBytes, bench.threads()));
    }
    PhysicalLimit s3 = new PhysicalLimit("S3 objects/s (put, later got)", objectRate.median(), s3Raw.median());
    PhysicalLimit kafka = new PhysicalLimit("Kafka records/s (produced and read)", recordRate.median(),
        kafkaRaw.median());
    PhysicalLimit slower = s3.ratio() >= kafka.ratio() ? s3 : kafka;
    int packTiles = tiles / objects;
    Row row = new Row("Tile throughput, " + tiles + " cheap tiles (" + tile + "x" + tile + ", " + objects
        + " tasks of " + packTiles + " tiles)",
        tileRate.summary("%.0f tiles/s") + " = " + objectRate.summary("%.0f tasks and S3 objects/s") + " = "
            + recordRate.summary("%.0f Kafka records/s"),
        "raw Kafka " + kafkaRaw.summary("%.0f records/s") + "; raw S3 " + s3Raw.summary("%.0f objects/s"),
        "S3: " + s3.describe() + "; Kafka: " + kafka.describe(),
        "≥ 0.5 of the slower raw limit, in its own unit", !s3.benchBug() && !kafka.benchBug() && slower.ratio() >= 0.5);
    String note = String.format(Locale.ROOT, "**Throughput**, in matching units: a job of %d tiles is %d tasks (packs "
        + "of %d tiles), so %d tile objects put (and got once at assembly) and %d Kafka records (a task record per "
        + "pack, a result record per tile); the rates are those counts over the job's wall time, submit to COMPLETED. "
        + "The raw limits, in the same run on the same broker and S3 server: Kafka as %d-byte records produced by one "
        + "producer while one consumer reads them (both connected before the clock starts); S3 as %d threads each "
        + "putting then getting %d-byte objects (the mean size of the job's tile objects) (one object put and "
        + "got = 1). The farm's rate in a unit is compared with the raw rate in that unit; the one nearer its "
        + "limit (%s) is the binding one. A ratio above 1 would be a bug in the bench, and is flagged so.",
        tiles, objects, packTiles, objects, objects + tiles,
        RECORD_BYTES, bench.threads(), objectBytes, slower == s3 ? "S3" : "Kafka");
    List<String> notes = new java.util.ArrayList<>(List.of(note));
    if (!row.reached()) {
      notes.add(Bottleneck.note("Throughput", bottleneck(slower, slower == s3 ? kafka : s3, jobCpu, bench.threads())));
    }
    return new Result(List.of(row), notes);
  }

  /**
   * The binding raw limit, and what held the farm below it: the machine's CPU (and which of the farm's roles took
   * most of it), or, with cores to spare, the farm's own pace through its hand-offs and commits.
   *
   * @param job this JVM's (the whole embedded farm's) and the machine's CPU over the last job
   */
  static String bottleneck(PhysicalLimit binding, PhysicalLimit other, JvmCpu.Span job, int cores) {
    String measured = String.format(Locale.ROOT, "the binding unit is %s at %.2f of raw (%s at %.2f); during the last "
        + "job %s", binding.unit(), binding.ratio(), other.unit(), other.ratio(),
        Bottleneck.machine(cores, job.machineBusy(), job.busy(cores), "role", job.byRole()));
    String busiest = Bottleneck.busiestRole(job.byRole());
    if (Bottleneck.cpuBound(job.machineBusy(), job.busy(cores)) && !Bottleneck.othersTookIt(job.machineBusy(),
        job.busy(cores))) {
      return "the machine's CPU, taken by the farm, most by the " + busiest + " (the farm spends more CPU per unit "
          + "than the raw clients, on the same cores): " + measured;
    }
    return Bottleneck.cpu(job.machineBusy(), job.busy(cores), measured).orElseGet(() -> "not CPU: the farm's pace "
        + "through its hand-offs and exactly-once commits, with cores to spare (the busiest role: the " + busiest
        + "): " + measured);
  }

  /**
   * The distinct tile objects the job's results name (one per task, whatever the pack size), and their bytes
   * together.
   */
  private static long[] tileObjects(BenchFarm farm, String jobId, int tiles) {
    Set<String> objects = new HashSet<>();
    Set<Integer> seen = new HashSet<>();
    long[] bytes = {0};
    TopicRecords.readAll(farm.bootstrapServers(), farm.tileResultsTopic(), r -> {
      if (r.key() != null && jobId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
        try {
          if (Json.MAPPER.readValue(r.value(), TileResult.class) instanceof TileResult.Done d) {
            objects.add(d.tileUri().toString());
            if (seen.add(d.tile().index())) {
              bytes[0] += d.bytes();
            }
          }
        } catch (java.io.IOException e) {
          throw new IllegalStateException("an undecodable tile result of job " + jobId, e);
        }
      }
    });
    if (seen.size() != tiles) {
      throw new IllegalStateException("job " + jobId + ": results for " + seen.size() + " of its " + tiles + " tiles");
    }
    return new long[] {objects.size(), bytes[0]};
  }
}
