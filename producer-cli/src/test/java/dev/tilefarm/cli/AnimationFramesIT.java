package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.api.HttpApi;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An animation's frames fetched one by one: {@code tilefarm get ANIM -o 'fr/f-####.png'} saves each, and
 * {@code GET /api/jobs/ANIM/output?frame=N} serves frame N, on the embedded farm (real broker, real S3 server).
 * What is fetched is compared with the objects the FRAME events name, read back from S3, and with those events'
 * sha256.
 */
class AnimationFramesIT {
  @TempDir
  static Path dir;
  static TestFarm farm;
  static HttpApi api;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Frames 2, 4 and 6 of 32 x 32: a glowing sphere the camera passes, so each frame differs. */
  private static final String ANIM = ("{'id':'frames-anim','type':'render','renderer':'builtin','width':32,"
      + "'height':32,'samples':1,'tileSize':16,'frames':{'start':2,'end':6,'step':2},'scene':{'cameraKeys':["
      + "{'frame':2,'position':[0,0,5],'lookAt':[0,0,0],'fov':30},{'frame':6,'position':[1,0,5],'lookAt':[1,0,0],"
      + "'fov':30}],'materials':{'glow':{'type':'emissive','color':[1,1,1],'strength':1}},'objects':[{'type':"
      + "'sphere','center':[0,0,0],'radius':0.5,'material':'glow'}]}}").replace('\'', '"');

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir.resolve("farm"), 2, Map.of("http.port", "0"));
    api = farm.farm.startApi();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
    if (farm != null) {
      farm.close();
    }
  }

  /** Runs the animation (once) and returns its events, oldest first. */
  private static synchronized List<JobEvent> animation() throws Exception {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      if (client.history("frames-anim").stream().noneMatch(e -> e instanceof JobEvent.Completed)) {
        assertInstanceOf(JobEvent.Completed.class, farm.runOne(TestFarm.json(ANIM)));
      }
      return client.history("frames-anim");
    }
  }

  private static JobEvent.Frame frame(List<JobEvent> events, int n) {
    return events.stream().filter(e -> e instanceof JobEvent.Frame f && f.frame() == n).map(JobEvent.Frame.class::cast)
        .findFirst().orElseThrow(() -> new AssertionError("no FRAME event of frame " + n + ": " + events));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(api.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** GET {@code path} until the API's view of the job answers other than 404 or 409 (it follows the topics). */
  private static HttpResponse<byte[]> getOnceSeen(String path) throws Exception {
    long until = System.currentTimeMillis() + 60_000;
    HttpResponse<byte[]> r = get(path);
    while ((r.statusCode() == 404 && new String(r.body()).contains("is known")) && System.currentTimeMillis() < until) {
      Thread.sleep(200);
      r = get(path);
    }
    return r;
  }

  @Test
  void getSavesEveryFrameNumberedAsTheJobNumbersThem() throws Exception {
    List<JobEvent> events = animation();
    Path pattern = dir.resolve("fr/f-####.png");
    Cli run = Cli.onFarm(farm, dir, Map.of(), s -> { }, "get", "frames-anim", "-o", pattern.toString());
    assertEquals(0, run.code(), run.stdout() + run.stderr());
    assertTrue(run.stdout().contains("wrote 3 frames to "), run.stdout());
    for (int n : new int[] {2, 4, 6}) {
      Path file = dir.resolve("fr/f-000" + n + ".png");
      byte[] saved = Files.readAllBytes(file);
      JobEvent.Frame f = frame(events, n);
      assertEquals(f.sha256(), sha256(saved), file + " has the FRAME event's sha256");
      assertArrayEquals(farm.farm.blobs().get(f.output()), saved, file + " is the frame's object in S3");
      BufferedImage img = ImageIO.read(file.toFile());
      assertEquals(32, img.getWidth());
    }
    try (var listed = Files.list(dir.resolve("fr"))) {
      assertEquals(3, listed.count(), "only the three frames are written");
    }
    assertFalse(Arrays.equals(Files.readAllBytes(dir.resolve("fr/f-0002.png")),
        Files.readAllBytes(dir.resolve("fr/f-0006.png"))), "the frames are the animation's, not one image thrice");

    Cli noRun = Cli.onFarm(farm, dir, Map.of(), s -> { }, "get", "frames-anim", "-o", dir.resolve("one.png").toString());
    assertEquals(2, noRun.code(), noRun.stdout() + noRun.stderr());
    assertTrue(noRun.stderr().contains("give a file name with a '#' run for the frame number"), noRun.stderr());
  }

  @Test
  void theApiServesOneFrameAndSaysWhichNumbersAreFrames() throws Exception {
    List<JobEvent> events = animation();
    HttpResponse<byte[]> four = getOnceSeen("/api/jobs/frames-anim/output?frame=4");
    assertEquals(200, four.statusCode(), new String(four.body()));
    assertEquals("image/png", four.headers().firstValue("Content-Type").orElse(""));
    JobEvent.Frame f = frame(events, 4);
    assertArrayEquals(farm.farm.blobs().get(f.output()), four.body());
    assertEquals(f.sha256(), sha256(four.body()));
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(four.body()));
    assertEquals(32, img.getHeight());

    for (String bad : new String[] {"3", "8", "0", "four"}) {
      HttpResponse<byte[]> r = get("/api/jobs/frames-anim/output?frame=" + bad);
      assertEquals(400, r.statusCode(), bad + ": " + new String(r.body()));
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertEquals("frame", body.get("field").asText(), body.toString());
    }
  }

  @Test
  void aFrameNotMadeIsNotFound() throws Exception {
    // Heavy frames, cancelled at once: the last frame is never made.
    String heavy = ANIM.replace("frames-anim", "frames-cancelled").replace("\"samples\":1", "\"samples\":2048")
        .replace("\"width\":32,\"height\":32", "\"width\":256,\"height\":256");
    try (JobClient client = new JobClient(farm.farm.settings())) {
      var from = client.eventPositions();
      client.submit(TestFarm.json(heavy));
      client.cancel("frames-cancelled", "not needed");
      assertInstanceOf(JobEvent.Cancelled.class, client.await(List.of("frames-cancelled"), Set.of(), from,
          TestFarm.TIMEOUT, e -> { }).get("frames-cancelled"));
    }
    HttpResponse<byte[]> r = getOnceSeen("/api/jobs/frames-cancelled/output?frame=6");
    assertEquals(404, r.statusCode(), new String(r.body()));
    assertTrue(new String(r.body()).contains("frame 6 of job frames-cancelled is not made yet"), new String(r.body()));
    assertEquals(400, get("/api/jobs/frames-cancelled/output?frame=5").statusCode());
  }
}
