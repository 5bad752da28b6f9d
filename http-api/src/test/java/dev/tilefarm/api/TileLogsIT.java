package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.store.TileKeys;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The renderer logs that workers keep in S3 (logs/JOB/N.log) are served by GET /api/jobs/{id}/logs, and a failed
 * tile that has one links to it in the stats and the job's tiles, which the dashboard shows.
 */
class TileLogsIT extends OnFakeFarm {
  @Test
  void servesTheLogsAWorkerKeptAndLinksThemFromFailedTiles() throws Exception {
    // What a worker does for a povray tile: the log in S3 under the job, then the FAILED result naming it.
    S3Uri log = TileKeys.tileLog(FakeFarm.BUCKET, "pov-f", 2);
    farm.blobs.put(log, "Parse Error: Cannot open include file /etc/passwd\n".getBytes(StandardCharsets.UTF_8),
        "text/plain");
    farm.blobs.put(TileKeys.tileLog(FakeFarm.BUCKET, "pov-f", 10), "POV-Ray finished\n".getBytes(
        StandardCharsets.UTF_8), "text/plain");
    farm.result(new TileResult.Failed("pov-f", new TileRect(2, 0, 0, 8, 8), 12, "povray: parse error", "w-1", 1,
        log));
    farm.result(new TileResult.Failed("builtin-f", new TileRect(1, 0, 0, 8, 8), 4, "renderer error", "w-1", 1));

    String stats = farm.awaitBody("/api/stats", null, "povray: parse error");
    JsonNode failed = new ObjectMapper().readTree(stats).get("failedTiles");
    for (JsonNode f : failed) {
      if (f.get("jobId").asText().equals("pov-f")) {
        assertEquals("/api/jobs/pov-f/logs?tile=2", f.get("log").asText(), f.toString());
      } else if (f.get("jobId").asText().equals("builtin-f")) {
        assertFalse(f.has("log"), "a tile without a renderer log links to none: " + f);
      }
    }
    String job = farm.awaitBody("/api/jobs/pov-f", null, "povray: parse error");
    assertTrue(job.contains("\"log\":\"/api/jobs/pov-f/logs?tile=2\""), job);

    HttpResponse<String> text = farm.get("/api/jobs/pov-f/logs?tile=2", null);
    assertEquals(200, text.statusCode(), text.body());
    assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertEquals("Parse Error: Cannot open include file /etc/passwd\n", text.body());

    HttpResponse<String> list = farm.get("/api/jobs/pov-f/logs", null);
    assertEquals(200, list.statusCode(), list.body());
    assertEquals("{\"logs\":[{\"tile\":2,\"url\":\"/api/jobs/pov-f/logs?tile=2\"},"
        + "{\"tile\":10,\"url\":\"/api/jobs/pov-f/logs?tile=10\"}]}",
        new ObjectMapper().readTree(list.body()).toString(), "in tile order, 10 after 2");

    HttpResponse<String> none = farm.get("/api/jobs/builtin-f/logs?tile=1", null);
    assertEquals(404, none.statusCode(), none.body());
    assertTrue(none.body().contains("only povray and blender tiles keep logs"), none.body());
    assertEquals("{\"logs\":[]}", farm.get("/api/jobs/builtin-f/logs", null).body().replace(" ", ""));
    HttpResponse<String> bad = farm.get("/api/jobs/pov-f/logs?tile=two", null);
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("tile"), bad.body());
  }
}
