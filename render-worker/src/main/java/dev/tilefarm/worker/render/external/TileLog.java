package dev.tilefarm.worker.render.external;

/**
 * Where a renderer's output for one tile goes. Kept bounded: the first {@link #MAX_BYTES} bytes are kept and
 * the rest is counted, since a scene can print without end.
 */
public final class TileLog {
  public static final int MAX_BYTES = 1 << 20;
  private final StringBuilder text = new StringBuilder();
  private long dropped;

  public synchronized void line(String line) {
    if (text.length() + line.length() + 1 > MAX_BYTES) {
      dropped += line.length() + 1;
      return;
    }
    text.append(line).append('\n');
  }

  /** The log as kept, with a note of what was dropped. */
  public synchronized String text() {
    return dropped == 0 ? text.toString() : text + "[... " + dropped + " more characters dropped]\n";
  }

  /** The last {@code n} lines, for a failure's reason. */
  public synchronized String tail(int n) {
    String[] lines = text.toString().split("\n");
    StringBuilder b = new StringBuilder();
    for (int i = Math.max(0, lines.length - n); i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        b.append(b.length() == 0 ? "" : " | ").append(lines[i].strip());
      }
    }
    return b.toString();
  }
}
