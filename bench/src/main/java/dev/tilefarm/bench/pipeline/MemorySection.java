package dev.tilefarm.bench.pipeline;

import dev.tilefarm.schemas.JobEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Memory: the resident sets of the compositor and a worker, each in a process of its own, on a large image. */
final class MemorySection implements Section {
  /** The compositor's heap limit: well below the image, so that only streaming fits. */
  private static final int COMPOSITOR_HEAP_MB = 256;

  @Override
  public Result run(Bench bench) throws Exception {
    int threads = bench.threads();
    int side = bench.quick() ? 4096 : 16384;
    int tile = bench.quick() ? 512 : 1024;
    // Broker and S3 server here; splitter, compositor and one worker each in a JVM of its own, whose memory the
    // operating system reports.
    try (BenchFarm farm = bench.farm("memory", 0, threads, false)) {
      List<Process> roles = new ArrayList<>();
      try {
        roles.add(RoleProcesses.start(bench, farm, List.of(), "splitter"));
        Process compositor = RoleProcesses.start(bench, farm, List.of("-Xmx" + COMPOSITOR_HEAP_MB + "m"),
            "compositor");
        roles.add(compositor);
        Process worker = RoleProcesses.start(bench, farm, List.of(), "worker", "--threads", String.valueOf(threads),
            "--id", "bench-memory-worker");
        roles.add(worker);
        long compositorBefore = RoleProcesses.residentBytes(compositor, "VmRSS");
        long workerBefore = RoleProcesses.residentBytes(worker, "VmRSS");
        JobEvent.Completed c = farm.complete(Jobs.mandelbrot("memory", side, tile, 8));
        long compositorPeak = RoleProcesses.residentBytes(compositor, "VmHWM");
        long anon = RoleProcesses.residentBytes(compositor, "RssAnon");
        long files = RoleProcesses.residentBytes(compositor, "RssFile");
        long workerPeak = RoleProcesses.residentBytes(worker, "VmHWM");
        long image = (long) side * side * 3;
        Row row = new Row("Memory: compositor process assembling " + side + "x" + side + " (" + tile
            + "-pixel tiles; heap limit " + COMPOSITOR_HEAP_MB + " MB)",
            String.format(Locale.ROOT, "peak resident %.0f MB (%.0f MB before the job); worker on %dx%d tiles: "
                + "peak resident %.0f MB (%.0f MB before)", compositorPeak / 1e6, compositorBefore / 1e6, tile, tile,
                workerPeak / 1e6, workerBefore / 1e6),
            String.format(Locale.ROOT, "the image itself: %.0f MB of RGB", image / 1e6), "—",
            "compositor < 512 MB peak", compositorPeak > 0 && compositorPeak < 512e6);
        String note = String.format(Locale.ROOT, "**Memory**: the splitter, the compositor and one worker (%d "
            + "threads) run as `tilefarm splitter|compositor|worker` processes of their own; the figures are each "
            + "process's peak resident set as Linux reports it (VmHWM: heap, metaspace, code, thread stacks, RocksDB "
            + "and every other native allocation), and its resident set just before the job. The compositor runs "
            + "with a %d MB heap limit, so assembling the %.0f MB image at all shows that it streams: it holds one "
            + "band of tiles and one row at a time and writes the PNG as it goes (assembly took %d ms). A worker "
            + "holds the tiles it makes, %dx%d RGB = %.1f MB each, and their encoded copies.", threads,
            COMPOSITOR_HEAP_MB, image / 1e6, c.timings().assemble(), tile, tile, tile * tile * 3 / 1e6);
        List<String> notes = new ArrayList<>(List.of(note));
        if (!row.reached()) {
          notes.add(Bottleneck.note("Memory", bottleneck(compositorPeak, compositorBefore, anon, files)));
        }
        return new Result(List.of(row), notes);
      } finally {
        RoleProcesses.stop(roles);
      }
    }
  }

  /**
   * The compositor's memory beyond its heap limit, and what its resident set held after the job: anonymous memory
   * (the heap, and native allocations: metaspace, code, thread stacks, RocksDB, direct buffers) or mapped files (jars,
   * the class-data archive, RocksDB's files), whichever is larger.
   */
  static String bottleneck(long peak, long before, long anon, long files) {
    String measured = String.format(Locale.ROOT, "peak resident %.0f MB with a %d MB heap limit, so at least %.0f MB "
        + "outside the Java heap; %.0f MB resident before the job; after it, %.0f MB anonymous and %.0f MB of mapped "
        + "files (Linux's RssAnon, RssFile)", peak / 1e6, COMPOSITOR_HEAP_MB, (peak - COMPOSITOR_HEAP_MB * 1e6) / 1e6,
        before / 1e6, anon / 1e6, files / 1e6);
    return (files > anon
        ? "the compositor's mapped files (jars, class-data archive, RocksDB's files), beyond its heap: "
        : "the compositor's memory outside its Java heap (native allocations, metaspace, thread stacks, RocksDB): ")
        + measured;
  }
}
