package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The merged statistics of a job's finished passes, as the compositor wrote them: {@code {"passes": [m0,
 * m1, ...]}}, one object per whole-image op in chain order. Whatever is derived from them (lookup tables,
 * CLAHE's tile maps) is computed once per worker and kept here, since every tile of the pass needs the same.
 */
final class MergedStats {
  static final MergedStats NONE = new MergedStats(null);

  private final JsonNode root;
  private final ConcurrentHashMap<String, Object> derived = new ConcurrentHashMap<>();

  MergedStats(JsonNode root) {
    this.root = root;
  }

  /**
   * The side of the statistics passes' tiles, as the compositor recorded it, or {@code fallback} without
   * statistics.
   */
  int tileSize(int fallback) {
    return root == null || !root.has("tileSize") ? fallback : root.get("tileSize").asInt();
  }

  /** The merged statistics of pass {@code pass}. */
  Pass of(int pass) {
    JsonNode passes = root == null ? null : root.get("passes");
    if (passes == null || passes.size() <= pass) {
      throw new IllegalStateException("the merged statistics hold no pass " + pass + " (the task came too early)");
    }
    return new Pass(pass, passes.get(pass));
  }

  /** One pass's merged statistics, with a cache of what is derived from them. */
  final class Pass {
    private final int index;
    private final JsonNode json;

    private Pass(int index, JsonNode json) {
      this.index = index;
      this.json = json;
    }

    JsonNode json() {
      return json;
    }

    @SuppressWarnings("unchecked")
    <T> T derived(String what, Function<JsonNode, T> compute) {
      return (T) derived.computeIfAbsent(index + "/" + what, k -> compute.apply(json));
    }
  }
}
