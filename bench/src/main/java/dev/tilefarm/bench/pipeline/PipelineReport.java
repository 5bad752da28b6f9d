package dev.tilefarm.bench.pipeline;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.utils.AppInfoParser;

/** The pipeline section of BENCHMARKS.md: the table of the sections' rows, their notes, and how they were made. */
public final class PipelineReport {
  /** Where the section starts and ends in the report; what lies outside is left alone. */
  public static final String START = "<!-- pipeline-bench:start -->";
  public static final String END = "<!-- pipeline-bench:end -->";

  private PipelineReport() {
  }

  /**
   * The section's text, from {@link #START} to {@link #END} and its line break.
   *
   * @param commandLine the command that produced it
   * @param runs the repetitions of each figure
   * @param results the sections' results, in report order
   */
  public static String section(String commandLine, Instant at, int runs, List<Section.Result> results) {
    Runtime rt = Runtime.getRuntime();
    StringBuilder sb = new StringBuilder();
    sb.append(START).append("\n## Pipeline\n\n");
    sb.append("Produced by `").append(commandLine).append("` on ").append(at).append(".\n\n");
    sb.append("Machine: ").append(rt.availableProcessors()).append(" cores, ")
        .append(String.format(Locale.ROOT, "%.1f GB max heap", rt.maxMemory() / 1e9)).append(", ")
        .append(System.getProperty("java.vm.name")).append(" ").append(System.getProperty("java.version")).append(", ")
        .append(System.getProperty("os.name")).append(" ").append(System.getProperty("os.arch"))
        .append("; Kafka ").append(AppInfoParser.getVersion()).append(" (embedded KRaft broker), S3Proxy (filesystem "
            + "backend), all in one JVM. Each figure: median (min – max) of ").append(runs)
        .append(" runs, measured side by side with its reference in the same run.\n\n");
    sb.append("| figure | measured | reference (same run) | ratio | aim | |\n|---|---|---|---|---|---|\n");
    results.forEach(r -> r.rows().forEach(row -> sb.append(row.markdown()).append('\n')));
    sb.append('\n');
    results.forEach(r -> r.notes().forEach(n -> sb.append("- ").append(n).append('\n')));
    sb.append(END).append('\n');
    return sb.toString();
  }

  /**
   * The report {@code text} (null: none yet) with its pipeline section replaced by {@code section}, or with
   * {@code section} appended where it has none.
   */
  public static String merge(String text, String section) {
    if (text == null) {
      text = "# Benchmarks\n\n";
    }
    int a = text.indexOf(START);
    int b = text.indexOf(END);
    if (a >= 0 && b > a) {
      return text.substring(0, a) + section + text.substring(b + END.length() + (text.length() > b + END.length()
          && text.charAt(b + END.length()) == '\n' ? 1 : 0));
    }
    return text + (text.endsWith("\n\n") ? "" : "\n") + section;
  }
}
