package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.schemas.Topics;
import dev.tilefarm.schemas.WorkerStatus;
import dev.tilefarm.store.TileKeys;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The API against a real broker and S3 server, with the test publishing what the roles would. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HttpApiIT extends OnFakeFarm {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void submitsAJobFollowsItsEventsAndServesTilesAndTheImage() throws Exception {
    HttpResponse<String> submitted = farm.post("/api/jobs", "application/json",
        "{\"id\":\"m1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":32,\"height\":16,\"tileSize\":16}"
            .getBytes(StandardCharsets.UTF_8), null);
    assertEquals(202, submitted.statusCode(), submitted.body());
    assertEquals("m1", JSON.readTree(submitted.body()).get("id").asText());
    ConsumerRecord<String, String> onTopic = farm.jobRecords().stream().filter(r -> "m1".equals(r.key()))
        .findFirst().orElseThrow();
    assertEquals("mandelbrot", JSON.readTree(onTopic.value()).get("renderer").asText());
    farm.awaitBody("/api/jobs?status=SUBMITTED", null, "\"m1\"");

    // Follow the job's stream while the "farm" works on it.
    // The response's headers come after the subscription, so every event from here on is in the stream.
    HttpResponse<java.util.stream.Stream<String>> sse = farm.http.send(
        HttpRequest.newBuilder(farm.url("/api/jobs/m1/events")).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals("text/event-stream; charset=utf-8", sse.headers().firstValue("Content-Type").orElseThrow());
    CompletableFuture<List<String>> stream = CompletableFuture.supplyAsync(
        () -> sse.body().filter(l -> l.startsWith("event: ")).collect(Collectors.toList()));

    S3Uri output = TileKeys.defaultOutput(FakeFarm.BUCKET, "m1");
    farm.event(new JobEvent.Accepted("m1", 1, "render", 2, 32, 16, output));
    farm.tile("m1", new TileRect(0, 0, 0, 16, 16), 2, 32, 16, 0xff0000, 12);
    farm.tile("m1", new TileRect(1, 16, 0, 16, 16), 2, 32, 16, 0x0000ff, 30);
    farm.awaitBody("/api/jobs/m1", null, "\"done\":2");

    // A finished tile is served as PNG, decoded from the farm's raw tile format.
    HttpResponse<byte[]> tile = farm.http.send(HttpRequest.newBuilder(farm.url("/api/jobs/m1/tiles/1.png")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, tile.statusCode());
    BufferedImage t1 = ImageIO.read(new ByteArrayInputStream(tile.body()));
    assertEquals(16, t1.getWidth());
    assertEquals(0x0000ff, t1.getRGB(5, 5) & 0xffffff);
    assertEquals(404, farm.get("/api/jobs/m1/tiles/7.png", null).statusCode());

    byte[] png = png(32, 16, 0x00ff00);
    farm.blobs.put(output, png, "image/png");
    farm.event(new JobEvent.Completed("m1", 3, output, "png", sha256(png), png.length, 32, 16, 2,
        new JobEvent.Timings(10, 42, 3)));

    List<String> events = stream.get(60, TimeUnit.SECONDS); // the stream ends after the job's last event
    assertEquals("event: snapshot", events.get(0));
    assertTrue(events.contains("event: tile"), events.toString());
    assertEquals(2, events.stream().filter(e -> e.equals("event: job-event")).count(), events.toString());
    assertEquals("event: job", events.get(events.size() - 1), events.toString());

    JsonNode job = JSON.readTree(farm.get("/api/jobs/m1", null).body());
    assertEquals("COMPLETED", job.at("/job/status").asText());
    assertEquals("mandelbrot", job.at("/job/kind").asText());
    assertEquals(2, job.get("tiles").size());
    assertEquals(30, job.at("/tiles/1/renderMs").asInt());
    assertEquals("COMPLETED", job.at("/events/1/status").asText());

    HttpResponse<byte[]> image = farm.http.send(HttpRequest.newBuilder(farm.url("/api/jobs/m1/output")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, image.statusCode());
    assertArrayEquals(png, image.body());
    JsonNode presigned = JSON.readTree(farm.get("/api/jobs/m1/output-url", null).body());
    HttpResponse<byte[]> direct = farm.http.send(HttpRequest.newBuilder(URI.create(presigned.get("url").asText()))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, direct.statusCode(), "the presigned URL works without credentials");
    assertArrayEquals(png, direct.body());

    assertEquals(409, farm.post("/api/jobs/m1/cancel", "application/json", new byte[0], null).statusCode());
    JsonNode workerA = worker("worker-a");
    assertEquals(List.of("mandelbrot"), strings(workerA.get("kinds")), "what it made, from its tile results");
    assertEquals(2, workerA.get("tiles").asInt());
    assertEquals(List.of(), strings(workerA.get("renderers")), "no heartbeat of worker-a was published");
    assertFalse(workerA.get("live").asBoolean());
  }

  /**
   * Forged COMPLETED events: one naming an object outside the job (someone's secret in another bucket) and one
   * naming the job's own output with a sha256 and length that are not its bytes. Neither hands out the wrong
   * bytes, and neither leaves the client waiting for bytes that never come.
   */
  @Test
  void forgedCompletedEventsGetNoOutput() throws Exception {
    farm.blobs.ensureBucket("other-bucket");
    S3Uri secret = S3Uri.parse("s3://other-bucket/secret.png");
    byte[] secretPng = png(8, 8, 0x123456);
    farm.blobs.put(secret, secretPng, "image/png");
    farm.event(new JobEvent.Accepted("f1", 1, "render", 1, 8, 8, TileKeys.defaultOutput(FakeFarm.BUCKET, "f1")));
    farm.event(new JobEvent.Completed("f1", 2, secret, "png", sha256(secretPng), secretPng.length, 8, 8, 1,
        new JobEvent.Timings(1, 1, 1)));
    farm.awaitBody("/api/jobs/f1", null, "COMPLETED");
    HttpResponse<String> output = farm.get("/api/jobs/f1/output", null);
    assertEquals(403, output.statusCode(), output.body());
    assertEquals("output", JSON.readTree(output.body()).get("field").asText());
    assertEquals("the output of job f1 is not served: s3://other-bucket/secret.png was not written by this farm for "
        + "job f1", JSON.readTree(output.body()).get("reason").asText());
    HttpResponse<String> url = farm.get("/api/jobs/f1/output-url", null);
    assertEquals(403, url.statusCode(), url.body());
    assertFalse(url.body().contains("X-Amz-Signature"), url.body());

    // The job's own output, but the event's sha256 and length are not those of its bytes.
    S3Uri own = TileKeys.defaultOutput(FakeFarm.BUCKET, "f2");
    byte[] real = png(16, 16, 0x00ff00);
    farm.blobs.put(own, real, "image/png");
    byte[] claimed = png(16, 16, 0xff0000);
    farm.event(new JobEvent.Accepted("f2", 1, "render", 1, 16, 16, own));
    farm.event(new JobEvent.Completed("f2", 2, own, "png", sha256(claimed), real.length + 1000, 16, 16, 1,
        new JobEvent.Timings(1, 1, 1)));
    farm.awaitBody("/api/jobs/f2", null, "COMPLETED");
    HttpResponse<String> mismatch = farm.http.send(HttpRequest.newBuilder(farm.url("/api/jobs/f2/output"))
        .timeout(java.time.Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(502, mismatch.statusCode(), mismatch.body());
    assertTrue(JSON.readTree(mismatch.body()).get("reason").asText().contains("not the " + sha256(claimed)),
        mismatch.body());
  }

  /**
   * A forged COMPLETED published after the farm's own (naming someone's secret in another bucket) neither takes
   * the job's image away nor changes what the job shows: /output still sends the job's bytes and /output-url
   * presigns the job's key.
   */
  @Test
  void aForgedCompletedAfterTheRealOneDoesNotHideTheImage() throws Exception {
    farm.blobs.ensureBucket("other-bucket");
    S3Uri secret = S3Uri.parse("s3://other-bucket/secret.png");
    byte[] secretPng = png(8, 8, 0x654321);
    farm.blobs.put(secret, secretPng, "image/png");
    S3Uri own = TileKeys.defaultOutput(FakeFarm.BUCKET, "f3");
    byte[] real = png(16, 8, 0x00aa00);
    farm.blobs.put(own, real, "image/png");
    farm.event(new JobEvent.Accepted("f3", 1, "render", 1, 16, 8, own));
    farm.event(new JobEvent.Completed("f3", 2, own, "png", sha256(real), real.length, 16, 8, 1,
        new JobEvent.Timings(1, 1, 1)));
    farm.event(new JobEvent.Completed("f3", 3, secret, "png", sha256(secretPng), secretPng.length, 8, 8, 1,
        new JobEvent.Timings(1, 1, 1)));
    farm.awaitBody("/api/jobs/f3", null, "secret.png"); // the forged event has reached the view

    JsonNode job = JSON.readTree(farm.get("/api/jobs/f3", null).body());
    assertEquals("COMPLETED", job.at("/job/status").asText());
    assertEquals(own.toString(), job.at("/job/output").asText(), "the first COMPLETED event's output is shown");
    assertEquals(sha256(real), job.at("/job/sha256").asText());
    assertEquals(3, job.get("events").size(), "the forged event is listed");

    HttpResponse<byte[]> image = farm.http.send(HttpRequest.newBuilder(farm.url("/api/jobs/f3/output")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, image.statusCode());
    assertArrayEquals(real, image.body());
    assertEquals(sha256(real), sha256(image.body()));
    assertEquals("\"" + sha256(real) + "\"", image.headers().firstValue("ETag").orElseThrow());

    HttpResponse<String> url = farm.get("/api/jobs/f3/output-url", null);
    assertEquals(200, url.statusCode(), url.body());
    String presigned = JSON.readTree(url.body()).get("url").asText();
    assertTrue(URI.create(presigned).getPath().endsWith("/" + own.key()), presigned);
    HttpResponse<byte[]> direct = farm.http.send(HttpRequest.newBuilder(URI.create(presigned)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, direct.statusCode());
    assertArrayEquals(real, direct.body());

    // Forged first, then the farm's own: the job shows the first, but the image served is still the job's.
    S3Uri own4 = TileKeys.defaultOutput(FakeFarm.BUCKET, "f4");
    byte[] real4 = png(8, 16, 0x0000aa);
    farm.blobs.put(own4, real4, "image/png");
    farm.event(new JobEvent.Accepted("f4", 1, "render", 1, 8, 16, own4));
    farm.event(new JobEvent.Completed("f4", 2, secret, "png", sha256(secretPng), secretPng.length, 8, 8, 1,
        new JobEvent.Timings(1, 1, 1)));
    farm.event(new JobEvent.Completed("f4", 3, own4, "png", sha256(real4), real4.length, 8, 16, 1,
        new JobEvent.Timings(1, 1, 1)));
    while (JSON.readTree(farm.awaitBody("/api/jobs/f4", null, "COMPLETED")).get("events").size() < 3) {
      Thread.sleep(50); // until the farm's event has reached the view
    }
    HttpResponse<byte[]> image4 = farm.http.send(HttpRequest.newBuilder(farm.url("/api/jobs/f4/output")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, image4.statusCode());
    assertArrayEquals(real4, image4.body());
    String presigned4 = JSON.readTree(farm.get("/api/jobs/f4/output-url", null).body()).get("url").asText();
    assertTrue(URI.create(presigned4).getPath().endsWith("/" + own4.key()), presigned4);
  }

  @Test
  void listsWorkersFromTheirHeartbeatsOnTheWorkersTopic() throws Exception {
    long now = System.currentTimeMillis();
    farm.heartbeat("hb-povray", new WorkerStatus("hb-povray", List.of("mandelbrot", "builtin"), 2, now - 1_000));
    farm.heartbeat("hb-povray", new WorkerStatus("hb-povray", List.of("mandelbrot", "builtin", "povray"), 8, now));
    long old = now - WorkerStatus.ALIVE_MS - 60_000;
    farm.heartbeat("hb-stale", new WorkerStatus("hb-stale", List.of("mandelbrot", "builtin", "blender"), 4, old));
    farm.heartbeat("hb-leaving", new WorkerStatus("hb-leaving", List.of("mandelbrot"), 1, now));
    farm.awaitBody("/api/workers", null, "\"hb-leaving\"");
    farm.awaitBody("/api/workers", null, "\"threads\":8");
    farm.awaitBody("/api/workers", null, "\"hb-stale\"");

    JsonNode live = worker("hb-povray");
    assertEquals(List.of("mandelbrot", "builtin", "povray"), strings(live.get("renderers")), "the latest heartbeat");
    assertEquals(8, live.get("threads").asInt());
    assertEquals(now, live.get("lastSeen").asLong());
    assertEquals(now, live.get("lastHeartbeat").asLong());
    assertTrue(live.get("live").asBoolean());
    assertEquals("idle", live.get("health").asText());

    JsonNode stale = worker("hb-stale");
    assertEquals(List.of("mandelbrot", "builtin", "blender"), strings(stale.get("renderers")));
    assertEquals(4, stale.get("threads").asInt());
    assertEquals(old, stale.get("lastSeen").asLong());
    assertFalse(stale.get("live").asBoolean(), "older than the splitter's window");
    assertEquals("stale", stale.get("health").asText());

    // A worker that stops publishes a tombstone: it is no longer listed.
    farm.heartbeat("hb-leaving", null);
    while (JSON.readTree(farm.get("/api/workers", null).body()).get("workers").findValuesAsText("id")
        .contains("hb-leaving")) {
      Thread.sleep(50);
    }
    assertTrue(worker("hb-povray").get("live").asBoolean(), "the others stay");
  }

  @Test
  void refusesAnInvalidJobNamingTheField() throws Exception {
    HttpResponse<String> r = farm.post("/api/jobs", "application/json",
        "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":0,\"height\":16}".getBytes(StandardCharsets.UTF_8),
        null);
    assertEquals(400, r.statusCode());
    assertEquals("width", JSON.readTree(r.body()).get("field").asText());
    assertEquals(400, farm.post("/api/jobs", "application/json", "[1]".getBytes(StandardCharsets.UTF_8), null)
        .statusCode());
    // A chunked body whose chunk size is not a number: the body cannot be read, which is the client's fault.
    RawHttp.Response badChunk = RawHttp.raw(farm.api.port(), ("POST /api/jobs HTTP/1.1\r\nHost: "
        + farm.api.uri().getAuthority() + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        + "Connection: close\r\n\r\n5\r\n{\"a\":\r\nzz\r\n").getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(400, badChunk.status(), badChunk.body());
    assertEquals("body", JSON.readTree(badChunk.body()).get("field").asText());
    // Over the farm's pixel limit: refused now, as the splitter would refuse it.
    HttpResponse<String> huge = farm.post("/api/jobs", "application/json", ("{\"id\":\"huge1\",\"type\":\"render\","
        + "\"renderer\":\"mandelbrot\",\"width\":20000,\"height\":20000}").getBytes(StandardCharsets.UTF_8), null);
    assertEquals(400, huge.statusCode(), huge.body());
    assertEquals("width", JSON.readTree(huge.body()).get("field").asText());
    assertTrue(huge.body().contains("20000x20000"), huge.body());
    HttpResponse<String> badLimit = farm.get("/api/jobs?limit=abc", null);
    assertEquals(400, badLimit.statusCode(), badLimit.body());
    assertEquals("limit", JSON.readTree(badLimit.body()).get("field").asText());
    assertEquals(404, farm.get("/api/nothing", null).statusCode());
    assertEquals(405, farm.get("/api/uploads", null).statusCode());
  }

  /**
   * Before, these answered 202 and the job was REJECTED by the splitter later: every check the splitter makes
   * that needs nothing from storage is made at submission, naming the field, and nothing is published or stored.
   */
  @Test
  void refusesAtSubmissionWhatTheSplitterWouldRejectNamingTheField() throws Exception {
    dev.tilefarm.store.JobLimits limits = new dev.tilefarm.store.JobLimits(40_000, 20, 64)
        .confinedTo(List.of("outs/ok/"), List.of("inputs", FakeFarm.BUCKET));
    try (HttpApi confined = HttpApi.start(new ApiConfig(farm.kafka.bootstrapServers(), farm.topics,
        dev.tilefarm.schemas.TopicLayout.DEFAULTS, "127.0.0.1", 0, null, ApiConfig.DEFAULT_PRESIGN_TTL, 100, Map.of(),
        List.of(), limits), farm.blobs, farm.registry)) {
      String render = "{\"id\":\"%s\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":%d,\"height\":%d%s}";
      record Case(String id, String json, String field, String reason) {}
      List<Case> cases = List.of(
          new Case("lim-out", render.formatted("lim-out", 64, 64, ",\"output\":\"s3://outs/elsewhere/x.png\""),
              "output", "s3://outs/elsewhere/x.png is outside the locations this farm may write to (outs/ok/)"),
          new Case("lim-pixels", render.formatted("lim-pixels", 300, 300, ""), "width",
              "the image is 300x300 = 90000 pixels; this farm takes at most 40000"),
          new Case("lim-tiles", render.formatted("lim-tiles", 200, 200, ",\"tileSize\":8"), "tileSize",
              "tile size 8 gives 625 tiles; this farm takes at most 20 per job (use larger tiles)"),
          new Case("lim-scene", "{\"id\":\"lim-scene\",\"type\":\"render\",\"renderer\":\"povray\",\"width\":64,"
              + "\"height\":64,\"scene\":\"s3://secret/x.pov\"}", "scene.file",
              "s3://secret/x.pov is in a bucket this farm may not read (allowed: inputs, tilefarm)"),
          new Case("lim-input", "{\"id\":\"lim-input\",\"type\":\"process\",\"input\":\"s3://secret/in.png\","
              + "\"ops\":[{\"op\":\"grayscale\"}]}", "input",
              "s3://secret/in.png is in a bucket this farm may not read (allowed: inputs, tilefarm)"));
      for (Case c : cases) {
        HttpResponse<String> r = farm.http.send(HttpRequest.newBuilder(confined.uri().resolve("/api/jobs"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(c.json())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), c.id() + ": " + r.body());
        assertEquals(c.field(), JSON.readTree(r.body()).get("field").asText(), c.id());
        assertEquals(c.reason(), JSON.readTree(r.body()).get("reason").asText(), c.id());
      }
      // Uploads: the image's size from its header, the op chain over it, the tiles and the output.
      int before = farm.blobs.list(FakeFarm.BUCKET, "uploads/").size();
      byte[] small = png(100, 100, 0x224466);
      Map<String, String[]> uploads = new java.util.LinkedHashMap<>();
      uploads.put("?id=lim-up-pixels&op=grayscale", new String[] {"big", "body",
          "the image is 300x200 = 60000 pixels; this farm takes at most 40000"});
      uploads.put("?id=lim-up-crop&op=crop:x=200,y=0,width=4,height=4", new String[] {"small", "ops[0]", null});
      uploads.put("?id=lim-up-tiles&op=grayscale&tileSize=8", new String[] {"small", "tileSize",
          "tile size 8 gives 169 tiles; this farm takes at most 20 per job (use larger tiles)"});
      uploads.put("?id=lim-up-out&op=grayscale&output=s3://outs/elsewhere/y.png", new String[] {"small", "output",
          "s3://outs/elsewhere/y.png is outside the locations this farm may write to (outs/ok/)"});
      for (Map.Entry<String, String[]> u : uploads.entrySet()) {
        byte[] image = u.getValue()[0].equals("big") ? png(300, 200, 0x224466) : small;
        HttpResponse<String> r = farm.http.send(HttpRequest.newBuilder(confined.uri().resolve("/api/uploads"
            + u.getKey())).header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(image))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), u.getKey() + ": " + r.body());
        String field = JSON.readTree(r.body()).get("field").asText();
        assertTrue(field.startsWith(u.getValue()[1]), u.getKey() + ": " + r.body());
        if (u.getValue()[2] != null) {
          assertEquals(u.getValue()[2], JSON.readTree(r.body()).get("reason").asText(), u.getKey());
        }
      }
      assertEquals(before, farm.blobs.list(FakeFarm.BUCKET, "uploads/").size(), "refused uploads stored nothing");
      assertTrue(farm.jobRecords().stream().noneMatch(r -> r.key() != null && r.key().startsWith("lim-")),
          "no refused job was published");
    }
    // A renderer none of the present workers has (from their heartbeats), as the splitter would reject it.
    farm.heartbeat("rn-mandelbrot-only", new WorkerStatus("rn-mandelbrot-only", List.of("mandelbrot", "builtin"), 1,
        System.currentTimeMillis()));
    farm.awaitBody("/api/workers", null, "\"rn-mandelbrot-only\"");
    HttpResponse<String> blender = farm.post("/api/jobs", "application/json", ("{\"id\":\"rn-blender\","
        + "\"type\":\"render\",\"renderer\":\"blender\",\"width\":64,\"height\":64,\"scene\":\"s3://tilefarm/x.blend\"}")
        .getBytes(StandardCharsets.UTF_8), null);
    assertEquals(400, blender.statusCode(), blender.body());
    assertEquals("renderer", JSON.readTree(blender.body()).get("field").asText());
    assertTrue(JSON.readTree(blender.body()).get("reason").asText().startsWith("no worker of this farm has the blender "
        + "renderer (workers: "), blender.body());
    assertTrue(blender.body().contains("rn-mandelbrot-only (mandelbrot, builtin)"), blender.body());

    // The default outputs of other jobs and the farm's working folders are no job's to write, confined or not.
    for (String[] c : new String[][] {
        {"s3://tilefarm/outputs/c-other.png", "is reserved for the default output of job 'c-other'"},
        {"s3://tilefarm/tiles/c-mine/0.png", "is in the farm's working folder tiles/"}}) {
      HttpResponse<String> r = farm.post("/api/jobs", "application/json", ("{\"id\":\"c-mine\",\"type\":\"render\","
          + "\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8,\"output\":\"" + c[0] + "\"}")
          .getBytes(StandardCharsets.UTF_8), null);
      assertEquals(400, r.statusCode(), r.body());
      assertEquals("output", JSON.readTree(r.body()).get("field").asText());
      assertTrue(JSON.readTree(r.body()).get("reason").asText().startsWith(c[0] + " " + c[1]), r.body());
    }
  }

  /** Before, a second job under a taken id answered 202, and the farm silently kept the first. */
  @Test
  void aTakenIdAnswers409WithTheJobThatHasIt() throws Exception {
    byte[] first = "{\"id\":\"dup1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":16,\"height\":16}"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(202, farm.post("/api/jobs", "application/json", first, null).statusCode());
    HttpResponse<String> again = farm.post("/api/jobs", "application/json", first, null);
    assertEquals(409, again.statusCode(), again.body());
    JsonNode body = JSON.readTree(again.body());
    assertEquals("id", body.get("field").asText());
    assertEquals("dup1", body.at("/job/id").asText());
    assertEquals("SUBMITTED", body.at("/job/status").asText());
    assertEquals("/api/jobs/dup1", again.headers().firstValue("Location").orElseThrow());

    farm.awaitBody("/api/jobs/dup1", null, "SUBMITTED");
    farm.event(new JobEvent.Accepted("dup1", System.currentTimeMillis(), "render", 1, 16, 16,
        TileKeys.defaultOutput(FakeFarm.BUCKET, "dup1")));
    farm.awaitBody("/api/jobs/dup1", null, "ACCEPTED");
    HttpResponse<String> other = farm.post("/api/jobs", "application/json", ("{\"id\":\"dup1\",\"type\":\"render\","
        + "\"renderer\":\"mandelbrot\",\"width\":64,\"height\":64}").getBytes(StandardCharsets.UTF_8), null);
    assertEquals(409, other.statusCode(), other.body());
    body = JSON.readTree(other.body());
    assertEquals("ACCEPTED", body.at("/job/status").asText(), "the job as the view shows it now");
    assertEquals(16, body.at("/job/width").asInt(), "the first job, not the second");
    assertEquals("ACCEPTED", body.at("/events/0/status").asText());
    assertTrue(body.get("reason").asText().startsWith("job dup1 already exists (ACCEPTED)"), other.body());

    // An upload under a taken id: refused before its image is stored.
    byte[] png = png(11, 7, 0x010203);
    HttpResponse<String> upload = farm.post("/api/uploads?id=dup1&op=grayscale", "image/png", png, null);
    assertEquals(409, upload.statusCode(), upload.body());
    assertEquals(-1, farm.blobs.size(new S3Uri(FakeFarm.BUCKET, "uploads/" + sha256(png) + ".png")));
    assertEquals(1, farm.jobRecords().stream().filter(r -> "dup1".equals(r.key())).count(), "one job under dup1");

    // An id the view knows from its events alone (its job came through another API, say).
    farm.event(new JobEvent.Rejected("dup-ev", System.currentTimeMillis(), "width", "rejected for the test"));
    farm.awaitBody("/api/jobs/dup-ev", null, "REJECTED");
    HttpResponse<String> known = farm.post("/api/jobs", "application/json", ("{\"id\":\"dup-ev\",\"type\":\"render\","
        + "\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8}").getBytes(StandardCharsets.UTF_8), null);
    assertEquals(409, known.statusCode(), known.body());
    assertEquals("REJECTED", JSON.readTree(known.body()).at("/job/status").asText());
  }

  /** Before, the document named http://127.0.0.1:8080 whatever the server's address and port. */
  @Test
  void openApiNamesTheServerItIsServedFrom() throws Exception {
    int port = farm.api.port();
    com.fasterxml.jackson.dataformat.yaml.YAMLMapper yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
    HttpResponse<String> direct = farm.get("/openapi.yaml", null);
    assertEquals(200, direct.statusCode());
    JsonNode servers = yaml.readTree(direct.body()).get("servers");
    assertEquals(1, servers.size(), direct.body());
    assertEquals("http://127.0.0.1:" + port, servers.get(0).get("url").asText());
    RawHttp.Response byName = RawHttp.send(port, "GET", "/openapi.yaml", Map.of("Host", "localhost:" + port), null);
    assertEquals(200, byName.status(), byName.body());
    assertEquals("http://localhost:" + port, yaml.readTree(byName.body()).at("/servers/0/url").asText());
    RawHttp.Response proxied = RawHttp.send(port, "GET", "/openapi.yaml",
        Map.of("Host", "localhost:" + port, "X-Forwarded-Proto", "https"), null);
    assertEquals("https://localhost:" + port, yaml.readTree(proxied.body()).at("/servers/0/url").asText());
  }

  @Test
  void uploadsAnImageAndSubmitsItsOpChain() throws Exception {
    byte[] png = png(20, 10, 0x336699);
    HttpResponse<String> r = farm.post("/api/uploads?id=up1&op=gaussian-blur:sigma=2.5&op=grayscale&tileSize=8",
        "image/png", png, null);
    assertEquals(202, r.statusCode(), r.body());
    JsonNode job = JSON.readTree(farm.jobRecords().stream().filter(x -> "up1".equals(x.key())).findFirst()
        .orElseThrow().value());
    S3Uri input = S3Uri.parse(job.get("input").asText());
    assertEquals("uploads/" + sha256(png) + ".png", input.key());
    assertArrayEquals(png, farm.blobs.get(input));
    assertEquals("gaussian-blur", job.at("/ops/0/op").asText());
    assertEquals(2.5, job.at("/ops/0/sigma").asDouble());
    assertEquals("grayscale", job.at("/ops/1/op").asText());
    assertEquals(8, job.get("tileSize").asInt());

    HttpResponse<String> bad = farm.post("/api/uploads?op=gaussian-blur:sigma=100", "image/png", png, null);
    assertEquals(400, bad.statusCode());
    assertEquals("ops[0].sigma", JSON.readTree(bad.body()).get("field").asText());
    HttpResponse<String> untyped = farm.post("/api/uploads?op=grayscale", "application/octet-stream", png, null);
    assertEquals(400, untyped.statusCode(), "neither an image type nor a file name");
    assertEquals("Content-Type", JSON.readTree(untyped.body()).get("field").asText());
  }

  @Test
  void aRefusedUploadLeavesNothingInObjectStorage() throws Exception {
    int before = farm.blobs.list(FakeFarm.BUCKET, "uploads/").size();
    byte[] text = "not an image at all".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> notImage = farm.post("/api/uploads?op=grayscale", "image/png", text, null);
    assertEquals(400, notImage.statusCode(), notImage.body());
    assertEquals("body", JSON.readTree(notImage.body()).get("field").asText());
    assertTrue(notImage.body().contains("not an image"), notImage.body());

    // A PNG whose header says 100000 x 100000: refused from the header, over the farm's pixel limit.
    byte[] bomb = pngHeader(100_000, 100_000);
    HttpResponse<String> tooLarge = farm.post("/api/uploads?op=grayscale", "image/png", bomb, null);
    assertEquals(400, tooLarge.statusCode(), tooLarge.body());
    assertEquals("body", JSON.readTree(tooLarge.body()).get("field").asText());
    assertTrue(tooLarge.body().contains("100000x100000"), tooLarge.body());

    // A good image with a bad op: refused before the image is stored.
    byte[] png = png(12, 12, 0x123456);
    HttpResponse<String> badOp = farm.post("/api/uploads?op=gaussian-blur:sigma=100", "image/png", png, null);
    assertEquals(400, badOp.statusCode(), badOp.body());
    assertEquals(-1, farm.blobs.size(new S3Uri(FakeFarm.BUCKET, "uploads/" + sha256(png) + ".png")));
    assertEquals(before, farm.blobs.list(FakeFarm.BUCKET, "uploads/").size(), "refused uploads stored nothing");

    // A JPEG sent as image/png is stored as what it is.
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg", jpeg);
    HttpResponse<String> ok = farm.post("/api/uploads?id=up-jpeg&op=grayscale", "image/png", jpeg.toByteArray(), null);
    assertEquals(202, ok.statusCode(), ok.body());
    JsonNode job = JSON.readTree(farm.jobRecords().stream().filter(x -> "up-jpeg".equals(x.key())).findFirst()
        .orElseThrow().value());
    assertEquals("uploads/" + sha256(jpeg.toByteArray()) + ".jpg", S3Uri.parse(job.get("input").asText()).key());
  }

  @Test
  void anUploadIsDeletedWhenTheSplitterRejectsItsJobUnlessAnotherJobUsesIt() throws Exception {
    // A job the splitter rejects (here the test, in its place) for a reason it alone can tell.
    byte[] png = png(14, 9, 0x445566);
    HttpResponse<String> r = farm.post("/api/uploads?id=up-rej&op=grayscale", "image/png", png, null);
    assertEquals(202, r.statusCode(), r.body());
    S3Uri input = new S3Uri(FakeFarm.BUCKET, "uploads/" + sha256(png) + ".png");
    assertEquals(png.length, farm.blobs.size(input));
    // The same bytes uploaded for two jobs: the first is rejected, the second still needs them.
    byte[] shared = png(15, 9, 0x445566);
    S3Uri sharedInput = new S3Uri(FakeFarm.BUCKET, "uploads/" + sha256(shared) + ".png");
    assertEquals(202, farm.post("/api/uploads?id=up-first&op=grayscale", "image/png", shared, null).statusCode());
    assertEquals(202, farm.post("/api/uploads?id=up-second&op=grayscale", "image/png", shared, null).statusCode());

    long now = System.currentTimeMillis();
    farm.event(new JobEvent.Rejected("up-first", now, "ops", "rejected for the test"));
    farm.awaitBody("/api/jobs/up-first", null, "REJECTED");
    farm.event(new JobEvent.Rejected("up-rej", now, "input", "rejected for the test"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (farm.blobs.size(input) != -1) {
      assertTrue(System.nanoTime() < deadline, input + " is still stored 30 s after its job was rejected");
      Thread.sleep(50);
    }
    assertEquals(shared.length, farm.blobs.size(sharedInput), "the upload another job uses is kept");
  }

  @Test
  void withoutATokenRefusesRequestsThatOtherSitesPagesCouldMake() throws Exception {
    int port = farm.api.port();
    String self = "127.0.0.1:" + port;
    byte[] job = "{\"id\":\"csrf1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":8,\"height\":8}"
        .getBytes(StandardCharsets.UTF_8);
    // A form or a no-cors fetch from another site: text/plain, with the site's Origin.
    RawHttp.Response plain = RawHttp.send(port, "POST", "/api/jobs", Map.of("Host", self, "Content-Type",
        "text/plain", "Origin", "http://evil.example"), job);
    assertEquals(403, plain.status(), plain.body());
    RawHttp.Response plainSameOrigin = RawHttp.send(port, "POST", "/api/jobs", Map.of("Host", self,
        "Content-Type", "text/plain"), job);
    assertEquals(403, plainSameOrigin.status(), plainSameOrigin.body());
    assertEquals("Content-Type", JSON.readTree(plainSameOrigin.body()).get("field").asText());
    RawHttp.Response foreignOrigin = RawHttp.send(port, "POST", "/api/jobs", Map.of("Host", self,
        "Content-Type", "application/json", "Origin", "http://evil.example"), job);
    assertEquals(403, foreignOrigin.status(), foreignOrigin.body());
    assertEquals("Origin", JSON.readTree(foreignOrigin.body()).get("field").asText());
    // DNS rebinding: the page's own name in Host, whatever the method.
    RawHttp.Response rebound = RawHttp.send(port, "POST", "/api/jobs", Map.of("Host", "evil.example:" + port,
        "Content-Type", "application/json", "Origin", "http://evil.example:" + port), job);
    assertEquals(403, rebound.status(), rebound.body());
    assertEquals("Host", JSON.readTree(rebound.body()).get("field").asText());
    assertEquals(403, RawHttp.send(port, "GET", "/api/jobs", Map.of("Host", "evil.example:" + port), null).status());
    assertEquals(403, RawHttp.send(port, "GET", "/metrics", Map.of("Host", "evil.example:" + port), null).status());
    assertEquals(403, RawHttp.send(port, "DELETE", "/api/jobs/csrf1", Map.of("Host", self, "Origin",
        "http://evil.example"), null).status());
    assertEquals(403, RawHttp.send(port, "POST", "/api/uploads?op=grayscale&filename=a.png", Map.of("Host", self,
        "Content-Type", "text/plain"), png(4, 4, 0)).status(), "an upload must carry the image's type");

    // The server's own names pass, with or without the Origin a browser adds.
    assertEquals(200, RawHttp.send(port, "GET", "/api/jobs", Map.of("Host", "localhost:" + port), null).status());
    RawHttp.Response own = RawHttp.send(port, "POST", "/api/jobs", Map.of("Host", "localhost:" + port,
        "Content-Type", "application/json; charset=utf-8", "Origin", "http://localhost:" + port), job);
    assertEquals(202, own.status(), own.body());
    assertEquals(1, farm.jobRecords().stream().filter(r -> "csrf1".equals(r.key())).count(),
        "only the request from the server's own origin was published");
  }

  @Test
  void cancelPublishesTheCancelRequestOnTheJobsTopic() throws Exception {
    farm.rawJob("c1", "{\"id\":\"c1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":64}");
    farm.event(new JobEvent.Accepted("c1", 1, "render", 4, 64, 64, TileKeys.defaultOutput(FakeFarm.BUCKET, "c1")));
    farm.awaitBody("/api/jobs/c1", null, "ACCEPTED");
    assertEquals(404, farm.post("/api/jobs/nope/cancel", "application/json", new byte[0], null).statusCode());
    HttpResponse<String> r = farm.post("/api/jobs/c1/cancel", "application/json",
        "{\"reason\":\"changed my mind\"}".getBytes(StandardCharsets.UTF_8), null);
    assertEquals(202, r.statusCode(), r.body());
    JsonNode cancel = JSON.readTree(farm.jobRecords().stream()
        .filter(x -> "c1".equals(x.key()) && x.value().contains("cancel")).findFirst().orElseThrow().value());
    assertEquals(Map.of("cancel", "c1", "reason", "changed my mind"),
        JSON.convertValue(cancel, Map.class));
    farm.awaitBody("/api/jobs/c1", null, "\"cancelRequested\":true");
    farm.event(new JobEvent.Cancelled("c1", 5, "changed my mind"));
    farm.awaitBody("/api/jobs/c1", null, "CANCELLED");
  }

  @Test
  void pauseResumeAndPriorityPublishScheduleRequestsAndTheViewFollowsTheirEvents() throws Exception {
    farm.rawJob("s1", "{\"id\":\"s1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":64,"
        + "\"priority\":40}");
    farm.event(new JobEvent.Accepted("s1", 1, "render", 4, 64, 64, TileKeys.defaultOutput(FakeFarm.BUCKET, "s1"), 40));
    farm.awaitBody("/api/jobs/s1", null, "\"priority\":40");
    assertEquals(404, farm.post("/api/jobs/nope/pause", "application/json", new byte[0], null).statusCode());

    HttpResponse<String> pause = farm.post("/api/jobs/s1/pause", "application/json", new byte[0], null);
    assertEquals(202, pause.statusCode(), pause.body());
    assertEquals("PAUSE_REQUESTED", JSON.readTree(pause.body()).get("status").asText());
    farm.event(new JobEvent.Paused("s1", 2));
    farm.awaitBody("/api/jobs/s1", null, "\"status\":\"PAUSED\"");
    farm.awaitBody("/api/jobs/s1", null, "\"paused\":true");

    HttpResponse<String> bad = farm.post("/api/jobs/s1/priority", "application/json",
        "{\"priority\":101}".getBytes(StandardCharsets.UTF_8), null);
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("priority", JSON.readTree(bad.body()).get("field").asText(), bad.body());
    HttpResponse<String> extra = farm.post("/api/jobs/s1/priority", "application/json",
        "{\"priority\":60,\"extra\":1}".getBytes(StandardCharsets.UTF_8), null);
    assertEquals(400, extra.statusCode(), extra.body());
    assertEquals("extra", JSON.readTree(extra.body()).get("field").asText(), extra.body());
    HttpResponse<String> raise = farm.post("/api/jobs/s1/priority", "application/json",
        "{\"priority\":90}".getBytes(StandardCharsets.UTF_8), null);
    assertEquals(202, raise.statusCode(), raise.body());
    HttpResponse<String> resume = farm.post("/api/jobs/s1/resume", "application/json", new byte[0], null);
    assertEquals(202, resume.statusCode(), resume.body());

    List<Map<?, ?>> requests = new java.util.ArrayList<>();
    for (var r : farm.jobRecords()) {
      if ("s1".equals(r.key()) && !r.value().contains("\"type\"")) {
        requests.add(JSON.readValue(r.value(), Map.class));
      }
    }
    assertEquals(List.of(Map.of("pause", "s1"), Map.of("reprioritize", "s1", "priority", 90), Map.of("resume", "s1")),
        requests);
    farm.event(new JobEvent.Prioritized("s1", 3, 90));
    farm.event(new JobEvent.Resumed("s1", 4, 2));
    farm.awaitBody("/api/jobs/s1", null, "\"priority\":90");
    farm.awaitBody("/api/jobs/s1", null, "\"paused\":false");
    farm.event(new JobEvent.Cancelled("s1", 5, "done"));
    farm.awaitBody("/api/jobs/s1", null, "CANCELLED");
    assertEquals(409, farm.post("/api/jobs/s1/pause", "application/json", new byte[0], null).statusCode());
  }

  @Test
  void retryIsRefusedUnlessTheJobFailedOrWasCancelledAndShowsTheAttempt() throws Exception {
    farm.rawJob("r1", "{\"id\":\"r1\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,\"height\":64}");
    farm.event(new JobEvent.Accepted("r1", 1, "render", 4, 64, 64, TileKeys.defaultOutput(FakeFarm.BUCKET, "r1")));
    farm.awaitBody("/api/jobs/r1", null, "ACCEPTED");
    assertEquals(404, farm.post("/api/jobs/nope/retry", "application/json", new byte[0], null).statusCode());
    HttpResponse<String> running = farm.post("/api/jobs/r1/retry", "application/json", new byte[0], null);
    assertEquals(409, running.statusCode(), running.body());
    assertEquals("job r1 is ACCEPTED; only a FAILED or CANCELLED job can be retried",
        JSON.readTree(running.body()).get("reason").asText());
    assertEquals(0, farm.jobRecords().stream().filter(x -> "r1".equals(x.key()) && x.value().contains("retry"))
        .count(), "nothing was published");
    farm.event(new JobEvent.Failed("r1", 5, "tile 2: renderer crashed", 2));
    farm.awaitBody("/api/jobs/r1", null, "\"FAILED\"");
    HttpResponse<String> failed = farm.post("/api/jobs/r1/retry", "application/json", new byte[0], null);
    assertEquals(202, failed.statusCode(), failed.body());
    JsonNode retry = JSON.readTree(farm.jobRecords().stream()
        .filter(x -> "r1".equals(x.key()) && x.value().contains("retry")).findFirst().orElseThrow().value());
    assertEquals(Map.of("retry", "r1"), JSON.convertValue(retry, Map.class));
    farm.event(new JobEvent.Accepted("r1", 9, "render", 4, 64, 64, TileKeys.defaultOutput(FakeFarm.BUCKET, "r1"), null,
        2));
    farm.awaitBody("/api/jobs/r1", null, "\"attempt\":2");
    // A job after others shows what it waits for.
    farm.event(new JobEvent.Waiting("w1", 3, List.of("r1"), 70, null));
    JsonNode waiting = JSON.readTree(farm.awaitBody("/api/jobs/w1", null, "\"waitingOn\":[\"r1\"]")).get("job");
    assertEquals(70, waiting.get("priority").asInt(), waiting.toString());
    // Ended with the job it waited for, then retried: the second run waits again, and says so.
    farm.event(new JobEvent.Cancelled("w1", 4, "r1 was cancelled"));
    JsonNode cancelled = JSON.readTree(farm.awaitBody("/api/jobs/w1", null, "\"CANCELLED\"")).get("job");
    assertEquals(0, cancelled.path("waitingOn").size(), cancelled.toString());
    farm.event(new JobEvent.Waiting("w1", 5, List.of("r1"), 70, 2));
    JsonNode again = JSON.readTree(farm.awaitBody("/api/jobs/w1", null, "\"attempt\":2")).get("job");
    assertEquals("WAITING", again.get("status").asText(), again.toString());
    assertEquals(2, again.get("attempt").asInt(), again.toString());
    assertTrue(again.path("endedAt").isMissingNode() || again.path("endedAt").isNull(), again.toString());
    assertEquals(70, again.get("priority").asInt(), again.toString());
  }

  @Test
  void showsFailedTilesAndDeadLetters() throws Exception {
    farm.result(new TileResult.Failed("f1", new TileRect(3, 0, 0, 8, 8), 4, "renderer error: boom", "worker-b", 1));
    farm.deadLetter(new DeadLetter("tilefarm.jobs", 0, 7, null,
        java.util.Base64.getEncoder().encodeToString("{not json".getBytes(StandardCharsets.UTF_8)),
        "not valid JSON", "tile-splitter", 2));
    String stats = farm.awaitBody("/api/stats", null, "renderer error: boom");
    assertTrue(stats.contains("\"worker\":\"worker-b\""), stats);
    String dead = farm.awaitBody("/api/dead-letters", null, "not valid JSON");
    assertTrue(dead.contains("{not json"), dead);
  }

  @Test
  void servesPrometheusMetricsWithBacklogAndKafkaClientMetrics() throws Exception {
    String metrics = farm.awaitBody("/metrics", null, "tilefarm_backlog_records{");
    assertTrue(metrics.contains("group=\"tilefarm.render-workers\""), metrics);
    assertTrue(metrics.contains("kafka_consumer_"), "Kafka client metrics are bound");
    assertTrue(metrics.contains("tilefarm_api_jobs{"), metrics);
  }

  @Test
  void measuresTheWorkersBacklogOfEveryTileTaskTopic() throws Exception {
    String shared = farm.topics.tileTasks().name();
    String povray = farm.topics.tileTasksFor("povray").name();
    String blender = farm.topics.tileTasksFor("blender").name();
    String ffmpeg = farm.topics.tileTasksFor("ffmpeg").name();
    farm.tasks(farm.topics.tileTasksFor("povray"), "pov1", 3);
    farm.tasks(farm.topics.tileTasks(), "man1", 2);
    // No worker has joined the share group, so nothing is acknowledged: every task is backlog.
    Map<String, Double> backlog = Map.of();
    while (!Double.valueOf(3).equals(backlog.get(povray)) || !Double.valueOf(2).equals(backlog.get(shared))) {
      Thread.sleep(100);
      backlog = workersBacklog(farm.get("/metrics", null).body(), farm.topics);
    }
    assertEquals(Map.of(shared, 2.0, povray, 3.0, blender, 0.0, ffmpeg, 0.0), backlog, "one series per tile task topic");
    assertEquals(5.0, backlog.values().stream().mapToDouble(Double::doubleValue).sum(), "the total is their sum");

    JsonNode stats = JSON.readTree(farm.get("/api/stats", null).body());
    Map<String, Long> inStats = new java.util.TreeMap<>();
    for (JsonNode b : stats.get("backlog")) {
      String topic = b.get("topic").asText();
      if (farm.topics.allTileTasks().stream().anyMatch(t -> t.name().equals(topic))
          && b.get("group").asText().equals(farm.topics.taskGroup(topic))) {
        inStats.put(b.get("topic").asText(), b.get("records").asLong());
      }
    }
    assertEquals(Map.of(shared, 2L, povray, 3L, blender, 0L, ffmpeg, 0L), inStats);
  }

  @Test
  void aTaskTopicThatDoesNotExistHasNoBacklog() throws Exception {
    Topics absent = new Topics("absent.");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, farm.kafka.bootstrapServers()))) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      FarmView view = new FarmView(10);
      try (BacklogProbe probe = new BacklogProbe(admin, absent, view, registry)) {
        probe.probe();
      }
      assertEquals(absent.allTileTasks().size() + 2, view.stats(0).backlog().size());
      assertTrue(view.stats(0).backlog().stream().allMatch(b -> b.records() == 0), view.stats(0).backlog()::toString);
      Map<String, Double> series = workersBacklog(registry.scrape(), absent);
      assertEquals(Map.of("absent.tile-tasks", 0.0, "absent.tile-tasks.povray", 0.0, "absent.tile-tasks.blender", 0.0,
          "absent.tile-tasks.ffmpeg", 0.0), series);
      assertTrue(admin.listTopics().names().get().stream().noneMatch(t -> t.startsWith("absent.")),
          "measuring creates no topic");
    }
  }

  @Test
  void requestMetricsStayBoundedWhateverThePathsAndMethodsAre() throws Exception {
    int before = requestSeries(farm.get("/metrics", null).body()).size();
    java.util.Random random = new java.util.Random(8);
    for (int i = 0; i < 300; i++) {
      String method = switch (random.nextInt(3)) {
        case 0 -> "GET";
        case 1 -> "POST";
        default -> "M" + Integer.toHexString(random.nextInt());
      };
      String path = (random.nextBoolean() ? "/api/" : "/") + Long.toHexString(random.nextLong())
          + (random.nextBoolean() ? ".js" : "");
      int status = RawHttp.send(farm.api.port(), method, path, Map.of("Host", farm.api.uri().getAuthority()),
          new byte[0]).status();
      assertTrue(status >= 400 && status < 500, method + " " + path + " answered " + status);
    }
    java.util.Set<String> after = requestSeries(farm.get("/metrics", null).body());
    assertTrue(after.size() - before <= 8, "300 requests to distinct paths added " + (after.size() - before)
        + " series, such as " + after.stream().limit(10).toList());
    for (String series : after) {
      assertFalse(series.matches(".*route=\"/?(api/)?[0-9a-f]{6,}.*"), "a raw path is a tag: " + series);
      assertFalse(series.contains("method=\"M"), "a raw method is a tag: " + series);
    }
  }

  /** The label sets of the request counter in a Prometheus scrape. */
  static java.util.Set<String> requestSeries(String scrape) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    Matcher m = Pattern.compile("(?m)^tilefarm_http_requests_seconds_count\\{(.*)\\} \\S+$").matcher(scrape);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The workers' backlog series in a Prometheus scrape, by task topic, each under its topic's own share group. */
  static Map<String, Double> workersBacklog(String scrape, Topics topics) {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (var tasks : topics.allTileTasks()) {
      Double v = backlogSeries(scrape, topics.taskGroup(tasks.name())).get(tasks.name());
      if (v != null) {
        out.put(tasks.name(), v);
      }
    }
    return out;
  }

  /** The {@code tilefarm_backlog_records} series of {@code group} in a Prometheus scrape, by topic. */
  static Map<String, Double> backlogSeries(String scrape, String group) {
    Pattern line = Pattern.compile("^tilefarm_backlog_records\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Pattern label = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    Map<String, Double> out = new java.util.TreeMap<>();
    Matcher m = line.matcher(scrape);
    while (m.find()) {
      Map<String, String> labels = new java.util.HashMap<>();
      Matcher l = label.matcher(m.group(1));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      if (group.equals(labels.get("group"))) {
        out.put(labels.get("topic"), Double.parseDouble(m.group(2)));
      }
    }
    return out;
  }

  /** The worker {@code id} as {@code /api/workers} lists it. */
  static JsonNode worker(String id) throws Exception {
    for (JsonNode w : JSON.readTree(farm.get("/api/workers", null).body()).get("workers")) {
      if (w.get("id").asText().equals(id)) {
        return w;
      }
    }
    throw new AssertionError("worker " + id + " is not listed");
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void requiresTheBearerTokenWhenOneIsSet() throws Exception {
    try (HttpApi secured = HttpApi.start(new ApiConfig(farm.kafka.bootstrapServers(), farm.topics,
        dev.tilefarm.schemas.TopicLayout.DEFAULTS, "127.0.0.1", 0, "s3cret", ApiConfig.DEFAULT_PRESIGN_TTL, 100),
        farm.blobs, farm.registry)) {
      URI base = secured.uri();
      assertEquals(401, send(base.resolve("/api/jobs"), null).statusCode());
      assertEquals(401, send(base.resolve("/api/jobs"), "wrong").statusCode());
      assertEquals(200, send(base.resolve("/api/jobs"), "s3cret").statusCode());
      assertEquals(200, send(base.resolve("/api/jobs?access_token=s3cret"), null).statusCode());
      assertEquals(200, send(base.resolve("/"), null).statusCode(), "the dashboard's files need no token");
      assertEquals(200, send(base.resolve("/metrics"), null).statusCode(), "nor does scraping");
    }
  }

  /** Before, /healthz said UP whatever the roles of the process were doing (the compositor in ERROR, say). */
  @Test
  void healthIsDownNamingTheRoleThatStoppedWorking() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> compositor = new java.util.concurrent.atomic.AtomicReference<>();
    try (HttpApi api = HttpApi.start(new ApiConfig(farm.kafka.bootstrapServers(), farm.topics,
        dev.tilefarm.schemas.TopicLayout.DEFAULTS, "127.0.0.1", 0, null, ApiConfig.DEFAULT_PRESIGN_TTL, 100),
        farm.blobs, farm.registry, () -> compositor.get() == null ? Map.of() : Map.of("compositor", compositor.get()))) {
      HttpResponse<String> up = send(api.uri().resolve("/healthz"), null);
      assertEquals(200, up.statusCode(), up.body());
      compositor.set("its Kafka Streams client is ERROR");
      HttpResponse<String> down = send(api.uri().resolve("/healthz"), null);
      assertEquals(503, down.statusCode(), down.body());
      JsonNode body = new ObjectMapper().readTree(down.body());
      assertEquals("DOWN", body.path("status").asText());
      assertEquals("its Kafka Streams client is ERROR", body.path("down").path("compositor").asText());
    }
  }

  private static HttpResponse<String> send(URI uri, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return farm.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static byte[] png(int w, int h, int rgb) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  /** A PNG's signature and header chunk claiming {@code w} x {@code h} pixels, and no pixel data. */
  static byte[] pngHeader(int w, int h) throws Exception {
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(ihdr.array());
    java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13).put(ihdr.array())
        .putInt((int) crc.getValue());
    return png.array();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static List<String> lines(String s) {
    return new ArrayList<>(List.of(s.split("\n")));
  }
}
