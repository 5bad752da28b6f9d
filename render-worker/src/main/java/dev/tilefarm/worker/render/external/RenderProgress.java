package dev.tilefarm.worker.render.external;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tile's percentage done, read from a renderer's output line by line; it only ever rises. A subclass names the
 * pattern of its program's progress lines and reads a match; this finds the matches and keeps the percentage.
 * Not thread-safe: one per tile.
 */
public abstract class RenderProgress {
  private final Pattern progressLine;
  private int percent;

  /** @param progressLine what a progress line holds, found anywhere in a line of output */
  protected RenderProgress(Pattern progressLine) {
    this.progressLine = progressLine;
  }

  /** The part of the tile done (0 to 1) that a progress line tells, as matched. */
  protected abstract double done(Matcher progress);

  /** The tile's percentage done after {@code line}, or -1 if the line does not raise it. */
  public final int accept(String line) {
    Matcher m = progressLine.matcher(line);
    if (!m.find()) {
      return -1;
    }
    double value = done(m);
    int p = (int) Math.floor(value * 100 + 1e-9);
    if (p <= percent) {
      return -1;
    }
    percent = p;
    return p;
  }
}
