package dev.tilefarm.worker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one tile may use and read. External renderers (POV-Ray, Blender) run under the CPU-time and memory
 * limits as rlimits of their process ({@code prlimit}: {@code RLIMIT_CPU}, {@code RLIMIT_DATA}), and are
 * stopped at the job's time limit or, when the job sets none, after {@code time}. A tile over a limit fails
 * its job with a reason naming the limit. Every image a tile decodes has its size read from its header
 * first and is refused over {@code maxPixels} (process inputs) or {@code maxTexturePixels} (a scene's
 * textures and environment maps), so that a small file declaring a huge image is never decoded. And which
 * external renderers the worker runs at all ({@link WorkerRenderers}).
 *
 * @param cpuSeconds CPU time (all threads) one external renderer process may use
 * @param memoryBytes memory (heap and private mappings) one external renderer process may allocate
 * @param time how long one external renderer process may run when its job sets no {@code timeLimit}
 * @param maxPixels largest image a process job's input may be (the splitter's {@code limits.max-pixels})
 * @param maxTexturePixels largest image a scene may use as a texture or environment map
 * @param inputBuckets the buckets a job's files may come from (the splitter's {@code limits.input-buckets});
 *     empty: any. Applied here to what a stored scene names inside itself, which the splitter cannot see.
 * @param renderers the external renderers the worker takes tiles of ({@code worker.renderers}; default: every one
 *     installed): one turned off is unavailable, as one not installed is
 */
public record TileLimits(long cpuSeconds, long memoryBytes, Duration time, long maxPixels, long maxTexturePixels,
    List<String> inputBuckets, WorkerRenderers renderers) {
  public static final long DEFAULT_CPU_SECONDS = 3600;
  public static final long DEFAULT_MEMORY_BYTES = 4L << 30;
  public static final Duration DEFAULT_TIME = Duration.ofMinutes(30);
  public static final long DEFAULT_MAX_PIXELS = 16_384L * 16_384L;
  /** 8192 x 8192: as floats, 800 MB of texels. */
  public static final long DEFAULT_MAX_TEXTURE_PIXELS = 8192L * 8192L;
  public static final TileLimits DEFAULTS = new TileLimits(DEFAULT_CPU_SECONDS, DEFAULT_MEMORY_BYTES, DEFAULT_TIME,
      DEFAULT_MAX_PIXELS, DEFAULT_MAX_TEXTURE_PIXELS, List.of());

  public TileLimits {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(renderers, "renderers");
    if (cpuSeconds < 1 || memoryBytes < (16L << 20) || time.toMillis() < 1000 || maxPixels < 1
        || maxTexturePixels < 1) {
      throw new IllegalArgumentException("bad tile limits: " + cpuSeconds + " CPU s, " + memoryBytes + " bytes, "
          + time + ", " + maxPixels + " pixels, " + maxTexturePixels
          + " texture pixels (at least 1 s, 16 MiB, 1 s, 1, 1)");
    }
    inputBuckets = List.copyOf(inputBuckets);
  }

  /** With every external renderer installed taken ({@link WorkerRenderers#INSTALLED}). */
  public TileLimits(long cpuSeconds, long memoryBytes, Duration time, long maxPixels, long maxTexturePixels,
      List<String> inputBuckets) {
    this(cpuSeconds, memoryBytes, time, maxPixels, maxTexturePixels, inputBuckets, WorkerRenderers.INSTALLED);
  }

  /** The same limits for a worker that takes the external renderers {@code chosen}. */
  public TileLimits withRenderers(WorkerRenderers chosen) {
    return new TileLimits(cpuSeconds, memoryBytes, time, maxPixels, maxTexturePixels, inputBuckets, chosen);
  }

  /** Whether a job's files may come from {@code bucket}. */
  public boolean readable(String bucket) {
    return inputBuckets.isEmpty() || inputBuckets.contains(bucket);
  }

  /** Why {@code bucket} may not be read, for a reason naming the setting. */
  public String unreadable(String uri) {
    return uri + " is in a bucket this farm may not read (limits.input-buckets: " + String.join(", ", inputBuckets)
        + ")";
  }
}
