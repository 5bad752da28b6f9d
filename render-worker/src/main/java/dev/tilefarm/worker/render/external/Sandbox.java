package dev.tilefarm.worker.render.external;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external renderer in a bubblewrap ({@code bwrap}) sandbox, because a scene comes from outside and
 * scene languages read and write files: POV-Ray's {@code #include}, {@code #fopen} and {@code #write},
 * Blender's image paths. Inside the sandbox the program sees only the system's programs and libraries
 * ({@code /usr}, read-only), the folders it is given read-only (the scene, POV-Ray's settings), and its
 * tile's work folder, the one place it can write; no {@code /etc}, no {@code /home}, no other {@code /tmp},
 * no network, and it dies with the worker. A scene that reads {@code /etc/passwd} or writes outside its
 * folder finds no such file or a read-only file system, and its tile fails naming the file.
 *
 * <p>POV-Ray's own file I/O restrictions ({@code povray.conf}) are written too, but are not relied upon:
 * Debian's POV-Ray 3.7.0.10 reads them and does not enforce them (a scene there wrote {@code /var/tmp} and
 * read {@code /etc/passwd} under a {@code restricted} configuration).
 */
public final class Sandbox {
  private static final String BWRAP = "/usr/bin/bwrap";
  private static volatile String unavailable;
  private static volatile boolean probed;

  private Sandbox() {}

  /**
   * The command that runs {@code argv} sandboxed.
   *
   * @param readOnly folders visible read-only at their own paths (missing ones are skipped)
   * @param workDir the writable working directory
   * @param env environment variables, the only ones the program gets
   */
  public static List<String> command(List<Path> readOnly, Path workDir, List<String> env, List<String> argv) {
    List<String> cmd = new ArrayList<>(List.of(BWRAP, "--unshare-all", "--die-with-parent", "--new-session",
        "--clearenv", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--proc", "/proc", "--dev", "/dev",
        "--tmpfs", "/tmp"));
    for (Path p : readOnly) {
      if (Files.exists(p)) {
        cmd.addAll(List.of("--ro-bind", p.toString(), p.toString()));
      }
    }
    cmd.addAll(List.of("--bind", workDir.toString(), workDir.toString(), "--chdir", workDir.toString()));
    for (int i = 0; i + 1 < env.size(); i += 2) {
      cmd.addAll(List.of("--setenv", env.get(i), env.get(i + 1)));
    }
    cmd.add("--");
    cmd.addAll(argv);
    return cmd;
  }

  /** Why sandboxed programs cannot run here (no bwrap, or no namespaces for it), or null if they can. */
  public static String unavailable() {
    if (!probed) {
      synchronized (Sandbox.class) {
        if (!probed) {
          unavailable = probe();
          probed = true;
        }
      }
    }
    return unavailable;
  }

  private static String probe() {
    if (!Files.isExecutable(Path.of(BWRAP))) {
      return "the sandbox program " + BWRAP + " is not installed (Debian package bubblewrap)";
    }
    try {
      Path dir = Files.createTempDirectory("tilefarm-sandbox-probe");
      try {
        Process p = new ProcessBuilder(command(List.of(), dir, List.of(), List.of("/usr/bin/true")))
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return "the sandbox (" + BWRAP + ") did not start within 30 s";
        }
        return p.exitValue() == 0 ? null : "the sandbox (" + BWRAP + ") cannot run here: " + out;
      } finally {
        Files.deleteIfExists(dir);
      }
    } catch (java.io.IOException e) {
      return "the sandbox (" + BWRAP + ") cannot run here: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while probing the sandbox";
    }
  }
}
