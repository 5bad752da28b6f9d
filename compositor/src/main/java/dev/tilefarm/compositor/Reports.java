package dev.tilefarm.compositor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.TileKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a completed process job's analysis report beside its image: the tiles' partial results (stored by the
 * workers under the job's tile folder) merged by {@link ReportMerge}. A job whose tiles left no partial result
 * has no analysis ops and gets no report.
 */
final class Reports {
  private final Blobs blobs;
  private final String bucket;

  Reports(Blobs blobs, String bucket) {
    this.blobs = blobs;
    this.bucket = bucket;
  }

  /** The report's URI, or null when the job has none. */
  S3Uri write(String jobId, S3Uri output, int tiles, int width, int height) {
    if (!blobs.exists(TileKeys.reportPartial(bucket, jobId, 0))) {
      return null;
    }
    List<JsonNode> partials = new ArrayList<>(tiles);
    for (int i = 0; i < tiles; i++) {
      try {
        partials.add(Json.MAPPER.readTree(blobs.get(TileKeys.reportPartial(bucket, jobId, i))));
      } catch (IOException e) {
        throw new AssemblyFailedException(jobId, i, "its partial analysis report is not JSON: " + e.getMessage(), e);
      }
    }
    ObjectNode report = Json.MAPPER.createObjectNode();
    report.put("jobId", jobId);
    report.put("image", output.toString());
    report.put("width", width);
    report.put("height", height);
    report.setAll(ReportMerge.merge(partials));
    S3Uri uri = TileKeys.report(output);
    blobs.put(uri, PassCoordinator.bytes(report), "application/json");
    return uri;
  }
}
