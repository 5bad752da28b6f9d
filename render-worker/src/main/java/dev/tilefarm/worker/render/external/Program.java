package dev.tilefarm.worker.render.external;

import dev.tilefarm.worker.TileFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The installed program an {@link ExternalRenderer} runs, with what every such renderer does with it alike: say
 * whether it can run here, run it for a tile with its progress read from its output, and word its failure.
 *
 * @param name the program's name in messages ("POV-Ray")
 * @param path where it is installed
 * @param debianPackage the Debian package that installs it
 */
public record Program(String name, Path path, String debianPackage) {
  /** Why the program cannot run here (not installed, processes cannot be limited, no sandbox), or null if it can. */
  public String unavailable() {
    if (!Files.isExecutable(path)) {
      return name + " is not installed (" + path + "; Debian package " + debianPackage + ")";
    }
    String limits = ProcessLimits.unavailable();
    return limits != null ? limits : Sandbox.unavailable();
  }

  /**
   * Runs {@code command} for tile {@code r} ({@link RenderProcess#run}, under r's deadline and limits, its output
   * into r's log) and tells r's progress each rise {@code progress} reads in the output.
   *
   * @return the exit code
   */
  public int run(List<String> command, RenderRequest r, RenderProgress progress)
      throws TileFailedException, InterruptedException {
    return RenderProcess.run(command, r.workDir(), r.deadlineMillis(), r.limits(), r.log(), line -> {
      int percent = progress.accept(line);
      if (percent >= 0) {
        r.progress().accept(percent);
      }
    }, r.label(), name);
  }

  /**
   * Why a run for tile {@code r} that ended with {@code code} (or made no image) failed: the limit it ran into,
   * else what {@code reason} picks out of its output {@code log}.
   */
  public TileFailedException failed(RenderRequest r, int code, String log, UnaryOperator<String> reason) {
    String exceeded = r.limits().exceeded(code, log);
    if (exceeded != null) {
      return new TileFailedException(r.label() + ": " + name + " " + exceeded);
    }
    return new TileFailedException(r.label() + ": " + name + " failed (exit " + code + "): " + reason.apply(log));
  }
}
