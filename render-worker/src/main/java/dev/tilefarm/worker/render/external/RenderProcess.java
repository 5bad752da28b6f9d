package dev.tilefarm.worker.render.external;

import dev.tilefarm.worker.TileFailedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one renderer process to its end under its {@link ProcessLimits}, its output line by line into the
 * tile's log (and to a listener that picks out progress), and stops it, with everything it started, when the
 * tile's time is up (the job's time limit, else the limits' wall time) or the tile is abandoned (the render
 * thread is interrupted). So no tile holds a render thread for longer than its time.
 */
public final class RenderProcess {
  private RenderProcess() {}

  /**
   * @param deadlineMillis the job's deadline (epoch ms), or 0 when it has none and {@code limits.time()} applies
   * @param lines told each output line as it comes, after it is logged (progress parsing)
   * @param program the program's name in reasons ("POV-Ray")
   * @return the exit code; a process killed for its CPU time is reported here, not returned
   * @throws TileFailedException the program could not be started, ran past its time, or over its CPU time
   * @throws InterruptedException the tile was abandoned; the program is stopped first
   */
  public static int run(List<String> command, Path workDir, long deadlineMillis, ProcessLimits limits, TileLog log,
      Consumer<String> lines, String label, String program) throws TileFailedException, InterruptedException {
    String noLimits = ProcessLimits.unavailable();
    if (noLimits != null) {
      throw new IllegalStateException(label + ": cannot limit " + program + ": " + noLimits);
    }
    long deadline = limits.deadline(deadlineMillis, System.currentTimeMillis());
    String timeLimit = deadlineMillis > 0 ? "the job's time limit (timeLimit)"
        : "the time limit of " + limits.time().toSeconds() + " s (" + ProcessLimits.TIME_SETTING + ")";
    Process process;
    try {
      process = new ProcessBuilder(limits.wrap(command)).directory(workDir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new TileFailedException(label + ": cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        // POV-Ray rewrites its progress line with '\r': split on it too, so that each update is a line.
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
          if (c == '\n' || c == '\r') {
            if (line.length() > 0) {
              String l = line.toString();
              log.line(l);
              lines.accept(l);
              line.setLength(0);
            }
          } else if (line.length() < 8192) {
            line.append((char) c);
          }
        }
        if (line.length() > 0) {
          log.line(line.toString());
        }
      } catch (IOException e) {
        log.line("[tilefarm: reading the renderer's output failed: " + e.getMessage() + "]");
      }
    }, "render-output");
    reader.setDaemon(true);
    reader.start();
    try {
      while (true) {
        long wait = Math.min(500, deadline - System.currentTimeMillis());
        if (wait <= 0) {
          stop(process);
          log.line("[tilefarm: stopped, the tile ran past " + timeLimit + "]");
          throw new TileFailedException(label + ": " + program + " ran past " + timeLimit + " and was stopped");
        }
        if (process.waitFor(wait, TimeUnit.MILLISECONDS)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      stop(process);
      log.line("[tilefarm: stopped, the tile was abandoned]");
      throw e;
    }
    reader.join(5000);
    int code = process.exitValue();
    if (code != 0) {
      String exceeded = limits.exceeded(code, log.text());
      if (exceeded != null) {
        log.line("[tilefarm: stopped, " + program + " " + exceeded + "]");
        throw new TileFailedException(label + ": " + program + " " + exceeded);
      }
    }
    return code;
  }

  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
