package dev.tilefarm.worker.render.povray;

import dev.tilefarm.worker.render.external.RenderProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A tile's percentage done, read from POV-Ray's output line by line; it only ever rises.
 *
 * <p>POV-Ray 3.7 ({@code +V}) prints {@code Rendered N of M pixels (P%)} as the render advances, rewriting the
 * line with {@code '\r'} (so each update is a line of its own to {@link
 * dev.tilefarm.worker.render.external.RenderProcess}); M is the region's pixel count, and N grows by whole
 * {@code +BS} blocks, a few times a second. A scene with radiosity prints the very same line during its
 * pretrace, counting up to M, and then starts again from 0 for the final render (captured from 3.7.0.10 on
 * {@code cornell.pov}: "Rendered 4092 of 4096 pixels (99%)", then "Rendered 1024 of 4096 pixels (25%)"), and
 * nothing in the output says which pass is which. So a count that falls starts a new pass, which shares out what
 * is left above the value reached; and a scene whose files mention radiosity is expected to pretrace, giving its
 * first pass {@link #PRETRACE_SHARE} of the tile rather than all of it.
 */
final class PovRayProgress extends RenderProgress {
  /**
   * The part of a tile its radiosity pretrace is taken to be. Measured on {@code cornell.pov} at 320x240: the
   * pretrace took 3.4 s and the final render 1.6 s; scenes differ, so this is a round guess.
   */
  static final double PRETRACE_SHARE = 0.5;
  /** At most 18 digits, which a long holds: a scene can print anything ({@code #debug}), and this must not throw. */
  private static final Pattern RENDERED = Pattern.compile("Rendered (\\d{1,18}) of (\\d{1,18}) pixels");
  /** Scene files are searched for radiosity only this far (a scene's own .pov and .inc files are small). */
  private static final long MAX_SCAN_BYTES = 16L << 20;
  private static final byte[] RADIOSITY = "radiosity".getBytes(StandardCharsets.US_ASCII);

  private long lastCount = -1;
  /** Where the current pass starts and how much of the tile it covers. */
  private double base;
  private double span;
  private double value;

  /** @param pretrace whether the scene is expected to run a radiosity pretrace before its final render */
  PovRayProgress(boolean pretrace) {
    super(RENDERED);
    this.span = pretrace ? PRETRACE_SHARE : 1;
  }

  @Override
  protected double done(Matcher m) {
    long count = Long.parseLong(m.group(1));
    long total = Math.max(1, Long.parseLong(m.group(2)));
    if (count < lastCount) {
      // A new pass (after a pretrace, the final render): it has what is left.
      base = value;
      span = 1 - base;
    }
    lastCount = count;
    value = Math.max(value, base + span * Math.min(1, (double) count / total));
    return value;
  }

  /**
   * Whether the scene's own files ({@code .pov}, {@code .inc}) in {@code sceneDir} mention radiosity. POV-Ray's
   * standard includes only offer radiosity settings ({@code rad_def.inc}); a scene that uses them still writes
   * {@code radiosity { ... }} in its own files. A mention in a comment makes a false guess, which costs only how
   * the progress is shared out; so does a folder that cannot be read, which counts as no mention.
   */
  static boolean mentionsRadiosity(Path sceneDir) {
    try (Stream<Path> files = Files.walk(sceneDir)) {
      long budget = MAX_SCAN_BYTES;
      for (Iterator<Path> it = files.iterator(); it.hasNext() && budget > 0; ) {
        Path f = it.next();
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.isRegularFile(f) || !(name.endsWith(".pov") || name.endsWith(".inc"))) {
          continue;
        }
        try (InputStream in = Files.newInputStream(f)) {
          byte[] bytes = in.readNBytes((int) Math.min(budget, Integer.MAX_VALUE - 8));
          budget -= bytes.length;
          if (contains(bytes, RADIOSITY)) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException | UncheckedIOException e) {
      return false; // the render will meet the problem and report it; progress is no reason to fail a tile
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
