package dev.tilefarm.bench.pipeline;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code tilefarm} roles in JVMs of their own, against a bench farm's broker and S3 server. */
final class RoleProcesses {
  private RoleProcesses() {
  }

  /**
   * Starts {@code tilefarm ROLE ARGS} in a JVM of its own (with {@code jvmOptions}) against {@code farm}, and returns
   * once it says it is ready.
   */
  static Process start(Bench bench, BenchFarm farm, List<String> jvmOptions, String role, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(role);
    command.addAll(List.of(args));
    command.addAll(farm.connectionOptions());
    return launch(bench.tilefarmCommand(jvmOptions, command), role);
  }

  /** Starts {@code commandLine}, a {@code tilefarm ROLE} process, and returns once it says it is ready. */
  static Process launch(List<String> commandLine, String role) throws IOException, InterruptedException {
    Process p = BenchProcesses.start(new ProcessBuilder(commandLine).redirectError(ProcessBuilder.Redirect.DISCARD));
    var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("ready")) {
      // wait for the role to say it runs
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IllegalStateException("tilefarm " + role + " exited before it was ready (exit " + p.waitFor() + ")");
    }
    // Keep reading what it prints, so that a full pipe never blocks it.
    Thread drain = new Thread(() -> {
      try {
        out.transferTo(Writer.nullWriter());
      } catch (IOException e) {
        // the process ended
      }
    }, "bench-" + role + "-stdout");
    drain.setDaemon(true);
    drain.start();
    return p;
  }

  /** Stops them all with SIGTERM (a worker settles its tiles and leaves the share group), forcibly after 30 s. */
  static void stop(List<Process> processes) throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** A process's resident memory in bytes: its peak ({@code VmHWM}) or current ({@code VmRSS}); -1 off Linux. */
  static long residentBytes(Process p, String field) {
    return residentBytes(p.pid(), field);
  }

  /** The same by process id; -1 off Linux, or once the process is gone. */
  static long residentBytes(long pid, String field) {
    try {
      return statusBytes(Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")), field);
    } catch (IOException e) {
      return -1; // not Linux, or the process is gone
    }
  }

  /**
   * A memory field of a {@code /proc/PID/status} text ({@code "VmHWM:\t  51200 kB"}) in bytes; -1 when it has
   * none (a process that has exited, a kernel thread).
   *
   * @throws IllegalArgumentException when the field is there but is not a count of kB
   */
  static long statusBytes(List<String> lines, String field) {
    for (String line : lines) {
      if (line.startsWith(field + ":")) {
        String value = line.substring(field.length() + 1).strip();
        if (!value.matches("[0-9]+ kB")) {
          throw new IllegalArgumentException("/proc status field " + field + ": expected a count of kB, got '"
              + value + "'");
        }
        return Long.parseLong(value.substring(0, value.length() - 3)) * 1024;
      }
    }
    return -1;
  }
}
