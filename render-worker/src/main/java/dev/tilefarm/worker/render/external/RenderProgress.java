package dev.tilefarm.worker.render.external;

/**
 * A tile's percentage done, read from a renderer's output line by line; it only ever rises. Subclasses read
 * their program's progress lines; this keeps the percentage. Not thread-safe: one per tile.
 */
public abstract class RenderProgress {
  private int percent;

  /** The part of the tile done (0 to 1) that {@code line} tells, or a negative number if it tells none. */
  protected abstract double done(String line);

  /** The tile's percentage done after {@code line}, or -1 if the line does not raise it. */
  public final int accept(String line) {
    double value = done(line);
    if (value < 0) {
      return -1;
    }
    int p = (int) Math.floor(value * 100 + 1e-9);
    if (p <= percent) {
      return -1;
    }
    percent = p;
    return p;
  }
}
