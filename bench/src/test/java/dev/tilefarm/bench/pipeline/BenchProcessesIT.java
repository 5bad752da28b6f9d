package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A bench stopped with SIGTERM (or Ctrl-C) stops the processes it started: here a {@code sleep}, which knows nothing
 * of {@code TILEFARM_EXIT_WITH_PARENT}, so only the bench's shutdown hook can end it.
 */
class BenchProcessesIT {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  /** Starts {@code sleep 600} through {@link BenchProcesses}, prints its pid, and waits to be stopped. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      System.out.println(BenchProcesses.start(new ProcessBuilder("sleep", "600")).pid());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  void aBenchStoppedWithSigtermStopsWhatItStarted() throws Exception {
    Process parent = new ProcessBuilder(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
        Parent.class.getName())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ProcessHandle child = null;
    try {
      String pid = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      child = ProcessHandle.of(Long.parseLong(pid.strip())).orElseThrow(() -> new AssertionError("no child " + pid));
      String environ = new String(Files.readAllBytes(Path.of("/proc", pid.strip(), "environ")),
          StandardCharsets.UTF_8);
      assertTrue(List.of(environ.split("\0")).contains("TILEFARM_EXIT_WITH_PARENT=" + parent.pid()),
          "the child is told the bench's pid");

      parent.destroy(); // SIGTERM
      assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "the parent ends on SIGTERM");

      try {
        child.onExit().get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("the child still runs 60 s after its parent was stopped");
      }
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
      parent.destroyForcibly();
    }
  }
}
