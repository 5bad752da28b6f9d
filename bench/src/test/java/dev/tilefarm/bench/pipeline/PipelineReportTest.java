package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineReportTest {
  private static final String OLD = PipelineReport.START + "\n## Pipeline\n\nold figures\n" + PipelineReport.END + "\n";

  @Test
  void replacesOnlyThePipelineSection() {
    String text = "# Benchmarks\n\n## Tracer\n\nkept\n\n" + OLD + "\n## After\n\nkept too\n";
    String merged = PipelineReport.merge(text, "NEW\n");
    assertEquals("# Benchmarks\n\n## Tracer\n\nkept\n\nNEW\n\n## After\n\nkept too\n", merged);
  }

  @Test
  void appendsToAReportWithoutOne() {
    assertEquals("# Benchmarks\n\nNEW\n", PipelineReport.merge(null, "NEW\n"));
    assertEquals("# Mine\n\ntext\n\nNEW\n", PipelineReport.merge("# Mine\n\ntext\n", "NEW\n"));
  }

  @Test
  void listsEverySectionsRowsThenEverySectionsNotes() {
    Section.Result a = new Section.Result(
        List.of(new Row("A1", "1 ms", "ref 2 ms", "0.50x", "≤ 1x", true), new Row("A2", "3", "4", "—", "aim", false)),
        List.of("note A1", "note A2"));
    Section.Result b = new Section.Result(List.of(new Row("B", "5", "6", "—", "aim", true)), List.of("note B"));
    String text = PipelineReport.section("./tilefarm bench --runs 2", Instant.parse("2026-01-02T03:04:05Z"), 2,
        List.of(a, b));
    assertTrue(text.startsWith(PipelineReport.START + "\n## Pipeline\n\nProduced by `./tilefarm bench --runs 2` on "
        + "2026-01-02T03:04:05Z.\n\n"), text);
    assertTrue(text.contains("Each figure: median (min – max) of 2 runs"), text);
    assertTrue(text.endsWith("| figure | measured | reference (same run) | ratio | aim | |\n|---|---|---|---|---|---|\n"
        + "| A1 | 1 ms | ref 2 ms | 0.50x | ≤ 1x | **reached** |\n"
        + "| A2 | 3 | 4 | — | aim | not reached |\n"
        + "| B | 5 | 6 | — | aim | **reached** |\n"
        + "\n- note A1\n- note A2\n- note B\n" + PipelineReport.END + "\n"), text);
  }
}
