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
 * Runs one renderer process to its end, its output line by line into the tile's log (and to a listener that
 * picks out progress), and stops it, with everything it started, when the tile's time is up or the tile is
 * abandoned (the render thread is interrupted).
 */
public final class RenderProcess {
  private RenderProcess() {}

  /**
   * @param lines told each output line as it comes, after it is logged (progress parsing)
   * @return the exit code
   * @throws TileFailedException the program could not be started, or ran past {@code deadlineMillis}
   * @throws InterruptedException the tile was abandoned; the program is stopped first
   */
  public static int run(List<String> command, Path workDir, long deadlineMillis, TileLog log, Consumer<String> lines,
      String label) throws TileFailedException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
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
        long wait = deadlineMillis <= 0 ? 500 : Math.min(500, deadlineMillis - System.currentTimeMillis());
        if (wait <= 0) {
          stop(process);
          log.line("[tilefarm: stopped, the tile ran past its time limit]");
          throw new TileFailedException(label + " ran past the job's time limit and was stopped");
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
    return process.exitValue();
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
