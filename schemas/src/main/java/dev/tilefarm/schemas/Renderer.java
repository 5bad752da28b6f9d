package dev.tilefarm.schemas;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The renderers a render job can name. On the wire (the job's {@code "renderer"}, heartbeats, topic and group
 * names) a renderer is its {@link #id()}, the lower-case name. An {@link #external()} renderer runs a program
 * installed on the worker's machine, so only workers that have it take its tiles, from a topic of its own.
 */
public enum Renderer {
  /** The Mandelbrot set, built into every worker. */
  MANDELBROT(false),
  /** The path tracer, built into every worker. */
  BUILTIN(false),
  /** POV-Ray, where it and the sandbox are installed. */
  POVRAY(true),
  /** Blender, where it and the sandbox are installed. */
  BLENDER(true),
  /**
   * For benchmarks, built into every worker: each tile takes the job's set wall time and almost no CPU (it sleeps,
   * then hands back a black tile), so a bench can run many workers on few cores and measure the farm, not the
   * renderer.
   */
  SLEEP(false),
  /**
   * Not a renderer but a lane of its own: ffmpeg, where it is installed, encodes an animation's frames into its
   * video ({@link JobRequest.Video}). No render job names it; the compositor sends an animation's video task down its
   * lane, the splitter a video job's ({@link JobRequest.Encode}).
   */
  FFMPEG(true, false);

  private final boolean external;
  private final boolean renders;

  Renderer(boolean external) {
    this(external, true);
  }

  Renderer(boolean external, boolean renders) {
    this.external = external;
    this.renders = renders;
  }

  /** Whether a render job may name it (all but {@link #FFMPEG}, which encodes videos). */
  public boolean renders() {
    return renders;
  }

  /**
   * The name in JSON, heartbeats and topic names: {@code mandelbrot}, {@code builtin}, {@code povray},
   * {@code blender}, {@code sleep}.
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether it runs an installed program: a worker takes its tiles only if it has the program. */
  public boolean external() {
    return external;
  }

  /** Every renderer's {@link #id()} a job may name, in declaration order. */
  public static List<String> ids() {
    return Arrays.stream(values()).filter(Renderer::renders).map(Renderer::id).toList();
  }

  /** The external renderers, in declaration order. */
  public static List<Renderer> externals() {
    return Arrays.stream(values()).filter(Renderer::external).toList();
  }

  /** The renderer whose {@link #id()} is {@code id}, or empty. */
  public static Optional<Renderer> find(String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
  }

  /** The renderer {@code id} names; an unknown name is an {@link IllegalArgumentException} listing the valid ones. */
  public static Renderer of(String id) {
    return find(id).orElseThrow(() -> new IllegalArgumentException("unknown renderer '" + id + "' (valid: "
        + String.join(", ", ids()) + ")"));
  }

  /**
   * Whether its jobs may have frames ({@code "frame"}, {@code "frames"}): the external renderers and the builtin
   * path tracer (glTF animations and camera keys); the Mandelbrot set has no time, nor do the bench's sleeping tiles.
   */
  public boolean animates() {
    return this != MANDELBROT && this != SLEEP && renders;
  }

  /** The renderers whose jobs may have frames, in declaration order. */
  public static List<Renderer> animating() {
    return Arrays.stream(values()).filter(Renderer::animates).toList();
  }

  /**
   * Where a job's tiles go, the one routing decision: the external renderer whose own lane (topic
   * {@code tile-tasks.ID}, its share group, the splitter's sink) carries them, or empty for the shared lane that
   * every worker takes (process jobs and the built-in renderers).
   */
  public static Optional<Renderer> lane(JobRequest job) {
    return switch (job) {
      case JobRequest.Render r -> Optional.of(r.renderer()).filter(Renderer::external);
      case JobRequest.Process p -> Optional.empty();
      case JobRequest.Encode e -> Optional.of(FFMPEG);
    };
  }
}
