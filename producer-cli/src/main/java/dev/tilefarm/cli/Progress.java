package dev.tilefarm.cli;

import java.io.PrintStream;

/** What a command tells the person waiting: notes, and a progress bar on a terminal (plain lines elsewhere). */
final class Progress {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final boolean terminal;
  private final boolean quiet;
  private boolean barShown;
  private int lastDecile = -1;

  Progress(PrintStream out, boolean terminal, boolean quiet) {
    this.out = out;
    this.terminal = terminal;
    this.quiet = quiet;
  }

  static Progress stderr(boolean quiet) {
    return new Progress(System.err, System.console() != null, quiet);
  }

  void note(String message) {
    if (quiet) {
      return;
    }
    clearBar();
    out.println("tilefarm: " + message);
  }

  /** Shows {@code done} of {@code total} tiles; on a non-terminal, one line per tenth. */
  void bar(long done, long total, String label) {
    if (quiet || total <= 0) {
      return;
    }
    int filled = (int) (WIDTH * done / total);
    if (terminal) {
      out.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " tiles  "
          + label + "   ");
      out.flush();
      barShown = true;
    } else {
      int decile = (int) (10 * done / total);
      if (decile != lastDecile) {
        lastDecile = decile;
        out.println("tilefarm: " + done + "/" + total + " tiles  " + label);
      }
    }
  }

  void clearBar() {
    if (barShown) {
      out.print("\r" + " ".repeat(WIDTH + 60) + "\r");
      out.flush();
      barShown = false;
    }
  }
}
