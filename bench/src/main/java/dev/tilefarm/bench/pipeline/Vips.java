package dev.tilefarm.bench.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * libvips' command line ({@code vips}, from Debian's libvips-tools): the reference for streaming memory. It runs a
 * Gaussian blur and a conversion to grey as two commands (the CLI runs one operation per invocation; the blurred
 * image passes between them as a {@code .v} file), and measures each command's peak resident set: with GNU time's
 * maximum resident set size (the kernel's {@code ru_maxrss} for the finished process) when {@code /usr/bin/time} is
 * there, else by polling {@code /proc/PID/status}'s VmHWM while it runs (a lower bound).
 */
final class Vips {
  /** GNU time, whose {@code %M} is the child's maximum resident set in kB. */
  private static final Path GNU_TIME = Path.of("/usr/bin/time");
  private static final long POLL_MS = 5;

  private Vips() {
  }

  /** One command's run: its arguments after {@code vips}, and its peak resident set in bytes. */
  record Command(String args, long peakBytes) {}

  /**
   * The whole run: its commands, how their peaks were measured, and its wall time.
   *
   * @param method how the peaks were measured, for the note
   */
  record Run(List<Command> commands, String method, double wallMs) {
    /** The run's peak: the largest of its commands'. */
    long peakBytes() {
      return commands.stream().mapToLong(Command::peakBytes).max().orElse(-1);
    }

    /** "gaussblur 48 MB, colourspace 30 MB". */
    String byCommand() {
      List<String> parts = new ArrayList<>();
      commands.forEach(c -> parts.add(String.format(Locale.ROOT, "%s %.0f MB", c.args().split(" ")[0],
          c.peakBytes() / 1e6)));
      return String.join(", ", parts);
    }
  }

  /** The {@code vips} program on the PATH, if installed. */
  static Optional<Path> find() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "vips");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Blurs {@code input} with {@code sigma} and converts it to grey ({@code b-w}), into {@code output}; the blurred
   * image in between is a {@code .v} file in a directory of its own in {@code scratch}, deleted after.
   *
   * @throws IllegalStateException naming the command, its exit status and what it printed, when one fails
   */
  static Run blurAndGrey(Path vips, Path input, double sigma, Path output, Path scratch) throws IOException,
      InterruptedException {
    Path dir = Files.createTempDirectory(scratch, "vips-");
    Path blurred = dir.resolve("blurred.v");
    boolean gnuTime = Files.isExecutable(GNU_TIME);
    long t0 = System.nanoTime();
    try {
      List<Command> commands = List.of(
          run(vips, List.of("gaussblur", input.toString(), blurred.toString(), String.format(Locale.ROOT, "%s",
              sigma)), gnuTime, dir),
          run(vips, List.of("colourspace", blurred.toString(), output.toString(), "b-w"), gnuTime, dir));
      return new Run(commands, gnuTime ? "GNU time's maximum resident set size (the kernel's ru_maxrss of each "
          + "finished command)" : "/proc/PID/status VmHWM polled every " + POLL_MS + " ms while each command ran (a "
          + "lower bound; GNU time was not found at " + GNU_TIME + ")", (System.nanoTime() - t0) / 1e6);
    } finally {
      Files.deleteIfExists(blurred);
      Files.deleteIfExists(dir);
    }
  }

  private static Command run(Path vips, List<String> args, boolean gnuTime, Path dir) throws IOException,
      InterruptedException {
    Path report = dir.resolve("time.txt");
    Path log = dir.resolve("log.txt");
    List<String> cmd = new ArrayList<>();
    if (gnuTime) {
      cmd.addAll(List.of(GNU_TIME.toString(), "-f", "%M", "-o", report.toString()));
    }
    cmd.add(vips.toString());
    cmd.addAll(args);
    try {
      Process p = BenchProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(log.toFile()));
      long polled = -1;
      while (!p.waitFor(POLL_MS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        if (!gnuTime) {
          polled = Math.max(polled, RoleProcesses.residentBytes(p.pid(), "VmHWM"));
        }
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("vips " + String.join(" ", args) + " failed (exit " + p.exitValue() + "): "
            + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
      long peak = gnuTime ? maxResidentKb(Files.readString(report, StandardCharsets.UTF_8)) * 1024 : polled;
      return new Command(String.join(" ", args), peak);
    } finally {
      Files.deleteIfExists(report);
      Files.deleteIfExists(log);
    }
  }

  /**
   * GNU time's {@code -f %M} output: the maximum resident set in kB on its last line (a line before it says when
   * the command exited with a non-zero status or a signal).
   *
   * @throws IllegalArgumentException when its last line is not a count
   */
  static long maxResidentKb(String timeOutput) {
    List<String> lines = timeOutput.strip().lines().toList();
    String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    if (!last.matches("[0-9]+")) {
      throw new IllegalArgumentException("GNU time's maximum resident set (%M): expected a count of kB on its last "
          + "line, got '" + timeOutput.strip() + "'");
    }
    return Long.parseLong(last);
  }
}
