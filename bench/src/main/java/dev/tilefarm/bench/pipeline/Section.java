package dev.tilefarm.bench.pipeline;

import java.util.List;
import java.util.Locale;

/** One family of figures of the pipeline benchmark, measured against its reference in the same run. */
public interface Section {
  /**
   * The name {@code tilefarm bench --sections} selects it by: its class's name without "Section", in lower case
   * ({@code ScalingSection} is {@code scaling}).
   */
  default String name() {
    return getClass().getSimpleName().replaceFirst("Section$", "").toLowerCase(Locale.ROOT);
  }

  /**
   * Whether it measures on the bench's shared farm ({@link Bench#sharedFarm()}); a section that starts farms or
   * processes of its own runs with the shared farm stopped, so that it measures alone.
   */
  default boolean sharesFarm() {
    return false;
  }

  /** Measures; fails rather than report a figure it could not check. */
  Result run(Bench bench) throws Exception;

  /** A section's table rows and the notes that explain them, in report order. */
  record Result(List<Row> rows, List<String> notes) {
    public Result {
      rows = List.copyOf(rows);
      notes = List.copyOf(notes);
    }
  }
}
