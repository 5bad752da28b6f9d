package dev.tilefarm.worker.render.video;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.render.external.ProcessLimits;
import dev.tilefarm.worker.render.external.RenderProcess;
import dev.tilefarm.worker.render.external.TileLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Encodes an animation's frames into its video with Debian's ffmpeg: H.264 ({@code libx264}, {@code yuv420p}, so
 * that every player takes it; an odd width or height is padded by one black pixel) in an MP4 or MOV file at the
 * job's frame rate, one video frame per image in the order given. ffmpeg runs under the same limits as the
 * external renderers ({@link ProcessLimits}: CPU time and memory by {@code prlimit}, the job's time limit or the
 * tile time). Unlike them it needs no sandbox: its inputs are the farm's own assembled PNG or JPEG frames, which it
 * reads from a private work folder under a fixed command line, not files a job supplied.
 */
public final class VideoEncoder {
  static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
  private static final Pattern FRAME = Pattern.compile("^frame=\\s*(\\d+)");

  private final Path program;
  private final ProcessLimits limits;

  public VideoEncoder(ProcessLimits limits) {
    this(FFMPEG, limits);
  }

  VideoEncoder(Path program, ProcessLimits limits) {
    this.program = program;
    this.limits = limits;
  }

  /** Why videos cannot be encoded here (no ffmpeg, or processes cannot be limited), or null if they can. */
  public String unavailable() {
    if (!Files.isExecutable(program)) {
      return "ffmpeg is not installed (" + program + "; Debian package ffmpeg)";
    }
    return ProcessLimits.unavailable();
  }

  /**
   * The video of {@code count} frames, fetched one by one by {@code frame} (index in video order -> the image's
   * bytes) into {@code work}, an empty folder this call may fill.
   *
   * @param extension the frames' file extension ({@code png}, {@code jpg}), which tells ffmpeg their format
   * @param deadlineMillis epoch ms to stop by (the job's time limit), or 0 for the limits' time
   * @param progress told the percentage of frames encoded as it rises
   * @throws TileFailedException ffmpeg failed, ran past its time or limits; the reason quotes its log
   */
  public byte[] encode(JobRequest.Video video, int count, IntFunction<byte[]> frame, String extension, Path work,
      long deadlineMillis, TileLog log, IntConsumer progress, String label)
      throws TileFailedException, InterruptedException {
    String ext = extension.toLowerCase(Locale.ROOT);
    try {
      for (int i = 0; i < count; i++) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("abandoned while fetching frames");
        }
        Files.write(work.resolve(String.format("%06d.%s", i, ext)), frame.apply(i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing the frames of " + label + " to " + work, e);
    }
    Path out = work.resolve("video." + video.format());
    int code = RenderProcess.run(command(video, ext, out), work, deadlineMillis, limits, log, line -> {
      Matcher m = FRAME.matcher(line);
      if (m.find()) {
        progress.accept((int) Math.min(100, Long.parseLong(m.group(1)) * 100 / count));
      }
    }, label, "ffmpeg");
    if (code != 0 || !Files.isRegularFile(out)) {
      throw new TileFailedException(label + ": ffmpeg failed (exit " + code + "): " + lastLines(log.text(), 5));
    }
    try {
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the video of " + label, e);
    }
  }

  /** The ffmpeg command line: the frames {@code 000000.EXT...} in the work folder into {@code out}. */
  List<String> command(JobRequest.Video video, String ext, Path out) {
    List<String> c = new ArrayList<>(List.of(program.toString(), "-nostdin", "-hide_banner", "-nostats",
        "-progress", "pipe:1", "-y", "-framerate", String.valueOf(video.fps()), "-start_number", "0",
        "-i", "%06d." + ext, "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
        "-r", String.valueOf(video.fps())));
    if (video.format().equals("mp4")) {
      c.addAll(List.of("-movflags", "+faststart"));
    }
    c.add(out.getFileName().toString());
    return c;
  }

  private static String lastLines(String text, int n) {
    List<String> lines = text.lines().filter(l -> !l.isBlank() && !l.contains("=")).toList();
    return String.join(" / ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  /** Deletes a work folder and what it holds. */
  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover work folder is removed with the scratch folder when the process ends.
    }
  }
}
