package dev.tilefarm.bench.pipeline;

/**
 * One line of the pipeline table in BENCHMARKS.md: a figure, what was measured, its reference from the same run,
 * their ratio, the aim and whether it was reached.
 */
public record Row(String figure, String measured, String reference, String ratio, String aim, boolean reached) {
  /** The Markdown table row. */
  public String markdown() {
    return "| " + figure + " | " + measured + " | " + reference + " | " + ratio + " | " + aim + " | "
        + (reached ? "**reached**" : "not reached") + " |";
  }
}
