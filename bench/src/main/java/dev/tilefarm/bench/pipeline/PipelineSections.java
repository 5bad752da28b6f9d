package dev.tilefarm.bench.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every section of the pipeline benchmark, by name, in the order the report lists them. */
public final class PipelineSections {
  private static final Map<String, Section> ALL = new LinkedHashMap<>();

  static {
    for (Section s : List.of(new StartupSection(), new OverheadSection(), new LatencySection(),
        new ThroughputSection(), new CostSection(), new SwarmSection(), new ProcessingSection(), new ScalingSection(),
        new MemorySection(), new TracerSection(), new SchedulingSection())) {
      ALL.put(s.name(), s);
    }
  }

  private PipelineSections() {
  }

  /** Their names, in report order. */
  public static List<String> names() {
    return List.copyOf(ALL.keySet());
  }

  /**
   * The sections named, in report order whatever the order given; all of them when {@code names} is null.
   *
   * @throws IllegalArgumentException naming an unknown section and listing the known ones
   */
  public static List<Section> select(List<String> names) {
    if (names == null) {
      return List.copyOf(ALL.values());
    }
    for (String name : names) {
      if (!ALL.containsKey(name)) {
        throw new IllegalArgumentException("--sections: unknown section '" + name + "'; the sections are "
            + String.join(", ", ALL.keySet()));
      }
    }
    List<Section> out = new ArrayList<>();
    ALL.forEach((name, section) -> {
      if (names.contains(name)) {
        out.add(section);
      }
    });
    return out;
  }
}
