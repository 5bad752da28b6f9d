package dev.tilefarm.cli;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * A role process started with {@code TILEFARM_EXIT_WITH_PARENT} ends once the process that started it is killed
 * with SIGKILL, which gives that process no chance to stop it. Before, the bench's and the lab's role processes
 * kept running as orphans.
 */
class ExitWithParentIT {
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  /** A parent that starts {@code tilefarm s3} as its child, prints the child's pid, and waits to be killed. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      ProcessBuilder pb = new ProcessBuilder(JAVA, "-cp", System.getProperty("java.class.path"),
          Main.class.getName(), "s3", "--port", "0", "--data-dir", args[1])
          .redirectErrorStream(true).redirectOutput(Path.of(args[0]).toFile());
      pb.environment().put(ExitWithParent.VARIABLE, String.valueOf(ProcessHandle.current().pid()));
      System.out.println(pb.start().pid());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  void aRoleProcessEndsOnceTheProcessThatStartedItIsKilled(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("child.log");
    Process parent = new ProcessBuilder(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
        Parent.class.getName(), log.toString(), dir.resolve("data").toString()))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ProcessHandle child = null;
    try {
      String pid = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      child = ProcessHandle.of(Long.parseLong(pid.strip())).orElseThrow(() -> new AssertionError("no child " + pid));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!(Files.exists(log) && Files.readString(log).contains("ready: s3 on"))) {
        if (!child.isAlive() || System.nanoTime() > deadline) {
          fail("the child never said it was ready: " + (Files.exists(log) ? Files.readString(log) : "(no output)"));
        }
        Thread.sleep(100);
      }

      parent.destroyForcibly().waitFor();

      try {
        child.onExit().get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("the child still runs 60 s after its parent was killed");
      }
      String out = Files.readString(log);
      assertTrue(out.contains("which started this one, has ended (TILEFARM_EXIT_WITH_PARENT); stopping"), out);
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
      parent.destroyForcibly();
    }
  }
}
