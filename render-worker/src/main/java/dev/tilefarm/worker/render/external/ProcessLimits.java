package dev.tilefarm.worker.render.external;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one renderer process may use: CPU time (all its threads), memory, and wall time when the job sets no
 * time limit of its own. The first two are rlimits set by util-linux's {@code prlimit} on the sandbox, which
 * its children inherit ({@code RLIMIT_CPU}; {@code RLIMIT_DATA}, which counts the heap and private mappings
 * but not mapped libraries, so that Blender's large shared libraries do not count against it). The kernel
 * enforces both: past the CPU limit the process gets SIGXCPU, then SIGKILL a second later; past the memory
 * limit its allocations fail, and the renderer reports that it ran out of memory.
 *
 * <p>cgroup v2 would also bound the page cache and a process's children together; these rlimits are per
 * process, which is what one tile runs (POV-Ray and Blender start no helpers).
 *
 * @param cpuSeconds CPU seconds; the setting's name is in {@link #CPU_SETTING}
 * @param memoryBytes bytes of heap and private memory
 * @param time wall time when the job has no time limit
 */
public record ProcessLimits(long cpuSeconds, long memoryBytes, Duration time) {
  public static final String CPU_SETTING = "worker.tile-cpu-seconds";
  public static final String MEMORY_SETTING = "worker.tile-memory-mb";
  public static final String TIME_SETTING = "worker.tile-time-seconds";
  static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
  /** Exit status of a process killed by SIGXCPU (24) or SIGKILL (9), as the sandbox passes it on. */
  private static final int SIGXCPU_EXIT = 128 + 24;
  private static final int SIGKILL_EXIT = 128 + 9;
  /** What POV-Ray, Blender, C++ and Python print when an allocation fails. */
  private static final List<String> OUT_OF_MEMORY = List.of("bad_alloc", "out of memory", "memoryerror",
      "cannot allocate memory", "malloc returns null", "calloc returns null", "mallocn returns null");

  public ProcessLimits {
    Objects.requireNonNull(time, "time");
    if (cpuSeconds < 1 || memoryBytes < 1 || time.toMillis() < 1) {
      throw new IllegalArgumentException("bad process limits: " + cpuSeconds + " s CPU, " + memoryBytes + " bytes, "
          + time);
    }
  }

  /** Why processes cannot be limited here ({@code prlimit} missing), or null if they can. */
  public static String unavailable() {
    return Files.isExecutable(PRLIMIT) ? null
        : "the rlimit program " + PRLIMIT + " is not installed (Debian package util-linux)";
  }

  /** {@code command} run under these limits. */
  List<String> wrap(List<String> command) {
    List<String> out = new ArrayList<>(List.of(PRLIMIT.toString(),
        // Soft limit first (SIGXCPU, which the renderers do not catch), the hard one a second later (SIGKILL).
        "--cpu=" + cpuSeconds + ":" + (cpuSeconds + 1),
        "--data=" + memoryBytes + ":" + memoryBytes, "--"));
    out.addAll(command);
    return out;
  }

  /**
   * Which limit a process that failed (ended with {@code exitCode}, or made no image) and wrote {@code log}
   * ran into, as the end of a sentence ("exceeded the CPU-time limit of 300 s (worker.tile-cpu-seconds)"), or
   * null if none did.
   */
  public String exceeded(int exitCode, String log) {
    if (exitCode == SIGXCPU_EXIT || exitCode == SIGKILL_EXIT) {
      return "exceeded the CPU-time limit of " + cpuSeconds + " s (" + CPU_SETTING + ")";
    }
    String lower = log.toLowerCase(Locale.ROOT);
    for (String marker : OUT_OF_MEMORY) {
      if (lower.contains(marker)) {
        return "exceeded the memory limit of " + (memoryBytes >> 20) + " MiB (" + MEMORY_SETTING + ")";
      }
    }
    return null;
  }

  /**
   * Epoch ms when a process started at {@code startMillis} must be stopped: the job's deadline, else this wall
   * time.
   */
  long deadline(long jobDeadlineMillis, long startMillis) {
    return jobDeadlineMillis > 0 ? jobDeadlineMillis : startMillis + time.toMillis();
  }
}
