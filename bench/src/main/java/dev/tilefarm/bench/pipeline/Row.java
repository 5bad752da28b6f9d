package dev.tilefarm.bench.pipeline;

/**
 * One line of the pipeline table in BENCHMARKS.md: a figure, what was measured, its reference from the same run,
 * their ratio, the aim and whether it was reached; or, for a reference figure with no aim to reach, just that.
 */
public record Row(String figure, String measured, String reference, String ratio, String aim, Mark mark) {
  /** What the last column says. */
  public enum Mark {
    REACHED("**reached**"),
    NOT_REACHED("not reached"),
    /** A figure given beside a reference, with no numeric aim: no reached claim either way. */
    REFERENCE("reference figure");

    private final String text;

    Mark(String text) {
      this.text = text;
    }
  }

  public Row {
    java.util.Objects.requireNonNull(mark, "mark");
  }

  /** A row with an aim, reached or not. */
  public Row(String figure, String measured, String reference, String ratio, String aim, boolean reached) {
    this(figure, measured, reference, ratio, aim, reached ? Mark.REACHED : Mark.NOT_REACHED);
  }

  /** A reference figure: {@code aim} says what it is measured against, and no reached claim is made. */
  public static Row reference(String figure, String measured, String reference, String ratio, String aim) {
    return new Row(figure, measured, reference, ratio, aim, Mark.REFERENCE);
  }

  /** Whether it has an aim and reached it. */
  public boolean reached() {
    return mark == Mark.REACHED;
  }

  /** The Markdown table row. */
  public String markdown() {
    return "| " + figure + " | " + measured + " | " + reference + " | " + ratio + " | " + aim + " | " + mark.text
        + " |";
  }
}
