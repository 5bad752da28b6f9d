package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Beside the processing figure, issue 18's reference for streaming memory: the peak resident set of each farm process
 * (splitter, compositor, one worker, each a {@code tilefarm} JVM of its own, with the broker and S3 server in the
 * bench's JVM) on a blur + grayscale job, against libvips ({@link Vips}) doing the same blur and grey on the same PNG.
 */
final class ProcessingMemory {
  private static final Pattern HEAP_COMMITTED = Pattern.compile("committed ([0-9]+)K");

  private ProcessingMemory() {
  }

  /** One farm process's memory: its peak, and after the job its anonymous and file-backed resident sets and heap. */
  record Role(String name, long peakBytes, long anonBytes, long fileBytes, long heapCommittedBytes) {}

  /**
   * Measures both on {@code png} (a {@code side} x {@code side} image) blurred with {@code sigma} then made grey, and
   * returns the row and its note.
   */
  static Section.Result measure(Bench bench, byte[] png, int side, double sigma) throws Exception {
    Path input = bench.scratch().resolve("processing-memory-" + side + ".png");
    Files.write(input, png);
    List<Role> roles = farm(bench, png, side, sigma);
    Optional<Path> vips = Vips.find();
    Vips.Run run = null;
    if (vips.isPresent()) {
      run = Vips.blurAndGrey(vips.get(), input, sigma, bench.scratch().resolve("vips-out-" + side + ".png"),
          bench.scratch());
    }
    Files.deleteIfExists(input);
    return result(side, sigma, bench.threads(), roles, run);
  }

  /** The row and note from what was measured; {@code vips} null when it is not installed. */
  static Section.Result result(int side, double sigma, int threads, List<Role> roles, Vips.Run vips) {
    Role largest = roles.stream().reduce((a, b) -> b.peakBytes() > a.peakBytes() ? b : a).orElseThrow();
    List<String> peaks = new ArrayList<>();
    roles.forEach(r -> peaks.add(String.format(Locale.ROOT, "%s %.0f MB", r.name(), r.peakBytes() / 1e6)));
    String reference = vips == null ? "vips not found: apt-get install libvips-tools"
        : String.format(Locale.ROOT, "vips: %.0f MB (the larger of its %d commands: %s)", vips.peakBytes() / 1e6,
            vips.commands().size(), vips.byCommand());
    String ratio = vips == null || vips.peakBytes() <= 0 ? "—" : String.format(Locale.ROOT, "%s %.1fx of vips",
        largest.name(), largest.peakBytes() / (double) vips.peakBytes());
    Row row = Row.reference(String.format(Locale.ROOT, "Peak memory, %dx%d blur (σ=%s) + grayscale: each farm "
        + "process against libvips", side, side, sigma), "peak resident: " + String.join(", ", peaks), reference,
        ratio, "vips is the reference for streaming memory (no numeric aim)");
    List<String> notes = new ArrayList<>();
    notes.add(String.format(Locale.ROOT, "**Peak memory beside libvips**: the same PNG as the processing row, "
        + "blurred (σ=%s) and made grey, without Canny. On the farm, the splitter, the compositor and one worker "
        + "(%d threads, 512-pixel tiles) each run as a `tilefarm` process of its own with the JVM's default heap "
        + "sizing (no -Xmx; the broker and S3 server in the bench's JVM); each figure is the process's peak "
        + "resident set over its life (Linux's VmHWM, read "
        + "after the job: heap, metaspace, code, thread stacks, RocksDB and every other native allocation). %s",
        sigma, threads, vips == null ? "vips is not installed (`apt-get install libvips-tools`), so there is no "
            + "reference figure."
            : String.format(Locale.ROOT, "vips ran as %d commands, `vips %s` (the CLI runs one operation per "
                + "invocation; the blurred image passes between them as a .v file), in %.0f ms; its figure is the "
                + "larger of their peaks, measured with %s.", vips.commands().size(),
                String.join("` then `vips ", vips.commands().stream().map(c -> c.args().replaceAll("\\S*/", ""))
                    .toList()), vips.wallMs(), vips.method())));
    notes.add("**Peak memory beside libvips**: most is held by the " + holder(largest) + ".");
    return new Section.Result(List.of(row), notes);
  }

  /**
   * What the farm process with the largest peak held: its Java heap (committed after the job) against the rest of its
   * peak outside the heap, and its anonymous against its file-backed resident set after the job.
   */
  static String holder(Role r) {
    String split = String.format(Locale.ROOT, "after the job %.0f MB anonymous and %.0f MB of mapped files (RssAnon, "
        + "RssFile)", r.anonBytes() / 1e6, r.fileBytes() / 1e6);
    if (r.heapCommittedBytes() < 0) {
      return String.format(Locale.ROOT, "%s, peak %.0f MB (its heap could not be read); %s", r.name(),
          r.peakBytes() / 1e6, split);
    }
    long outside = r.peakBytes() - r.heapCommittedBytes();
    return String.format(Locale.ROOT, "%s, peak %.0f MB: %s, its Java heap committed %.0f MB after the job (jcmd "
        + "GC.heap_info) and the other %.0f MB of its peak outside the heap, as far as the heap did not shrink "
        + "after the peak (metaspace, code, thread stacks, RocksDB, direct buffers, mapped jars); %s",
        r.name(), r.peakBytes() / 1e6,
        r.heapCommittedBytes() >= outside ? "mostly heap" : "mostly outside the Java heap",
        r.heapCommittedBytes() / 1e6, Math.max(0, outside) / 1e6, split);
  }

  private static List<Role> farm(Bench bench, byte[] png, int side, double sigma) throws Exception {
    try (BenchFarm farm = bench.farm("processing-memory", 0, bench.threads(), false)) {
      Map<String, Process> processes = new LinkedHashMap<>();
      try {
        processes.put("splitter", RoleProcesses.start(bench, farm, List.of(), "splitter"));
        processes.put("compositor", RoleProcesses.start(bench, farm, List.of(), "compositor"));
        processes.put("worker", RoleProcesses.start(bench, farm, List.of(), "worker", "--threads",
            String.valueOf(bench.threads()), "--id", "bench-processing-memory-worker"));
        S3Uri input = farm.blobs().uri("bench/memory-photo-" + side + ".png");
        farm.blobs().put(input, png, "image/png");
        ObjectNode job = Jobs.blurAndGrey("processing-memory", input, sigma);
        JobEvent.Completed done = farm.complete(job);
        if (farm.blobs().get(done.output()).length == 0) {
          throw new IllegalStateException("the memory job " + job.get("id").asText() + " wrote an empty output");
        }
        List<Role> roles = new ArrayList<>();
        for (var e : processes.entrySet()) {
          Process p = e.getValue();
          long peak = RoleProcesses.residentBytes(p, "VmHWM");
          if (peak <= 0) {
            throw new IllegalStateException("no peak resident set (VmHWM) for the " + e.getKey() + " process "
                + p.pid() + " (not Linux, or it exited)");
          }
          roles.add(new Role(e.getKey(), peak, RoleProcesses.residentBytes(p, "RssAnon"),
              RoleProcesses.residentBytes(p, "RssFile"), heapCommitted(p.pid())));
        }
        return roles;
      } finally {
        RoleProcesses.stop(List.copyOf(processes.values()));
      }
    }
  }

  /** A JVM's committed heap in bytes, from {@code jcmd PID GC.heap_info}; -1 when it cannot be read. */
  private static long heapCommitted(long pid) throws InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return -1;
    }
    try {
      Process p = BenchProcesses.start(new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.heap_info")
          .redirectErrorStream(true));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? heapCommittedKb(out) * 1024 : -1;
    } catch (IOException | IllegalArgumentException e) {
      return -1;
    }
  }

  /**
   * The committed heap in kB from {@code jcmd GC.heap_info}'s output: the first line that names the heap
   * ("garbage-first heap   total reserved 6172672K, committed 12288K, used 3877K [...]").
   *
   * @throws IllegalArgumentException when no line names the heap's committed size
   */
  static long heapCommittedKb(String heapInfo) {
    for (String line : heapInfo.lines().toList()) {
      Matcher m = HEAP_COMMITTED.matcher(line);
      if (line.toLowerCase(Locale.ROOT).contains("heap") && m.find()) {
        return Long.parseLong(m.group(1));
      }
    }
    throw new IllegalArgumentException("jcmd GC.heap_info: no line gives the heap's committed size in: "
        + heapInfo.strip());
  }
}
