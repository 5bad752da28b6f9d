package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Video jobs ({@code "type": "video"}) on the embedded farm (real broker, real S3 server, Debian's ffmpeg): a video
 * job submitted in one batch with the animation it takes ({@code "input": "job:ID"}) waits for it and encodes its
 * frames in frame order, which ffprobe and ffmpeg, outside the farm, read back; a video job of stored frames; and
 * the faults: an input that is no animation, a cancelled animation, and a retry.
 *
 * <p>The shot: a glowing sphere that the camera pans past, so the sphere moves left by 4 pixels a frame; a video
 * whose frames are in frame order shows it moving left frame after frame.
 */
class VideoJobsIT {
  /** 2 atan(0.2) in degrees: the plane z = 0 five units away is 2 units = 64 pixels high. */
  private static final double FOV = Math.toDegrees(2 * Math.atan(0.2));
  private static final String CAMERA = "'position':[0,0,5],'lookAt':[0,0,0],'fov':" + FOV;

  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ffmpeg")),
        "skipped: ffmpeg is not installed (Debian package ffmpeg; .ci/run installs it)");
    farm = TestFarm.start(dir, 2, Map.of("http.port", "0"));
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  /** A 96x64 animation of frames 0..{@code last}: the camera moves 1/8 unit (4 pixels) right a frame. */
  private static ObjectNode shot(String id, int last, int samples, String extra) {
    double end = last / 8.0;
    return TestFarm.json(("{'id':'" + id + "','type':'render','renderer':'builtin','width':96,'height':64,"
        + "'samples':" + samples + ",'frames':{'start':0,'end':" + last + "}" + extra + ",'scene':{'cameraKeys':[{"
        + "'frame':0," + CAMERA + "},{'frame':" + last + ",'position':[" + end + ",0,5],'lookAt':[" + end + ",0,0],"
        + "'fov':" + FOV + "}],'materials':{'glow':{'type':'emissive','color':[1,1,1],'strength':1}},"
        + "'objects':[{'type':'sphere','center':[0,0,0],'radius':0.25,'material':'glow'}]}}").replace('\'', '"'));
  }

  private static ObjectNode video(String id, String fields) {
    return TestFarm.json(("{'id':'" + id + "','type':'video'," + fields + "}").replace('\'', '"'));
  }

  @Test
  void aVideoJobAfterAnAnimationEncodesItsFramesInFrameOrder() throws Exception {
    // The video job first: it comes in before the animation it takes has been split. The animation is made in
    // preview order (0, 6, 3, ...); the video is in frame order all the same.
    ObjectNode videoJob = video("vj-video", "'input':'job:vj-shot','video':{'format':'mp4','fps':10}");
    ObjectNode movJob = video("vj-mov", "'input':'job:vj-shot','after':['vj-video'],'video':{'format':'mov',"
        + "'fps':4},'output':'s3://tilefarm/it/vj/shot.mov'");
    Map<String, JobEvent> ends = farm.run(videoJob, movJob, shot("vj-shot", 6, 1, ",'frameOrder':'preview'"));
    JobEvent.Completed shot = assertInstanceOf(JobEvent.Completed.class, ends.get("vj-shot"), String.valueOf(ends));
    JobEvent.Completed v = assertInstanceOf(JobEvent.Completed.class, ends.get("vj-video"), String.valueOf(ends));
    assertEquals("outputs/vj-video.mp4", v.video().key(), "the default: the video job's own output");
    assertEquals(shot.output(), v.output(), "COMPLETED names the frames the video is made of");
    assertEquals(7, v.frames());
    byte[] mp4 = farm.farm.blobs().get(v.video());
    assertEquals(mp4.length, v.bytes());
    Path file = dir.resolve("vj-video.mp4");
    Files.write(file, mp4);
    JsonNode stream = probe(file).at("/streams/0");
    assertEquals("h264", stream.get("codec_name").asText());
    assertEquals(96, stream.get("width").asInt());
    assertEquals(64, stream.get("height").asInt());
    assertEquals("10/1", stream.get("r_frame_rate").asText());
    assertEquals(7, stream.get("nb_read_frames").asInt());
    assertTrue(probe(file).at("/format/format_name").asText().contains("mp4"));
    List<Double> xs = new ArrayList<>();
    for (BufferedImage frame : decode(file)) {
      xs.add(brightX(frame));
    }
    assertEquals(7, xs.size());
    for (int i = 0; i < xs.size(); i++) {
      // The sphere is at the centre (x 48) in frame 0 and 4 pixels further left each frame (H.264 blurs a little).
      assertEquals(48 - 4 * i, xs.get(i), 1.0, "video frame " + i + " of " + xs);
    }

    JobEvent.Completed mov = assertInstanceOf(JobEvent.Completed.class, ends.get("vj-mov"), String.valueOf(ends));
    assertEquals(S3Uri.parse("s3://tilefarm/it/vj/shot.mov"), mov.video());
    Path movFile = dir.resolve("vj-mov.mov");
    Files.write(movFile, farm.farm.blobs().get(mov.video()));
    JsonNode movStream = probe(movFile).at("/streams/0");
    assertEquals("h264", movStream.get("codec_name").asText());
    assertEquals("4/1", movStream.get("r_frame_rate").asText());
    assertEquals(7, movStream.get("nb_read_frames").asInt());
    assertTrue(probe(movFile).at("/format/format_name").asText().contains("mov"));

    try (JobClient client = new JobClient(farm.farm.settings())) {
      List<JobEvent> history = client.history("vj-video");
      JobEvent.Waiting waiting = assertInstanceOf(JobEvent.Waiting.class, history.get(0), history.toString());
      assertEquals(List.of("vj-shot"), waiting.waitingOn());
      JobEvent.Accepted accepted = (JobEvent.Accepted) history.stream().filter(e -> e instanceof JobEvent.Accepted)
          .findFirst().orElseThrow();
      assertEquals("video", accepted.type());
      assertEquals(v.video(), accepted.output());
      assertTrue(accepted.timestamp() >= shot.timestamp(), "the video job was planned after the animation completed");
    }

    // Stored frames by pattern: every third frame of the shot, at 1 fps; and a pattern with no frames.
    ObjectNode stored = video("vj-stored", "'input':'" + shot.output() + "','frames':{'start':0,'end':6,'step':3},"
        + "'video':{'fps':1}");
    ObjectNode missing = video("vj-missing", "'input':'s3://tilefarm/it/vj/none-###.png','frames':{'start':1,"
        + "'end':3},'video':{}");
    Map<String, JobEvent> more = farm.run(stored, missing);
    JobEvent.Completed s = assertInstanceOf(JobEvent.Completed.class, more.get("vj-stored"), String.valueOf(more));
    Path storedFile = dir.resolve("vj-stored.mp4");
    Files.write(storedFile, farm.farm.blobs().get(s.video()));
    assertEquals(3, probe(storedFile).at("/streams/0/nb_read_frames").asInt());
    List<Double> storedXs = new ArrayList<>();
    for (BufferedImage frame : decode(storedFile)) {
      storedXs.add(brightX(frame));
    }
    assertEquals(3, storedXs.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(48 - 12 * i, storedXs.get(i), 1.0, "frames 0, 3 and 6: " + storedXs);
    }
    JobEvent.Rejected rejected = assertInstanceOf(JobEvent.Rejected.class, more.get("vj-missing"));
    assertEquals("input", rejected.field());
    assertTrue(rejected.reason().contains("frame 1 (s3://tilefarm/it/vj/none-001.png) does not exist"),
        rejected.reason());
  }

  @Test
  void aVideoJobOfNoAnimationOrOfACancelledOneEndsNamingItAndIsRetried() throws Exception {
    ObjectNode still = TestFarm.json("{\"id\":\"vj-still\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
        + "\"width\":64,\"height\":64,\"scene\":{\"center\":[-0.5,0],\"zoom\":1,\"iterations\":50}}");
    Map<String, JobEvent> ends = farm.run(video("vj-of-still", "'input':'job:vj-still','video':{}"), still);
    assertInstanceOf(JobEvent.Completed.class, ends.get("vj-still"), String.valueOf(ends));
    JobEvent.Failed noFrames = assertInstanceOf(JobEvent.Failed.class, ends.get("vj-of-still"), String.valueOf(ends));
    assertTrue(noFrames.reason().startsWith("input: job 'vj-still' completed without an animation's frames"),
        noFrames.reason());

    // The animation is cancelled once it is under way; the video job waiting for it ends CANCELLED naming it.
    try (JobClient client = new JobClient(farm.farm.settings())) {
      var from = client.eventPositions();
      client.submit(video("vj-late", "'input':'job:vj-slow','video':{'fps':5}"));
      client.submit(shot("vj-slow", 11, 64, ""));
      client.await(List.of("vj-slow"), Set.of(), from, TestFarm.TIMEOUT, e -> { },
          e -> e instanceof JobEvent.Accepted);
      client.cancel("vj-slow", "not now");
      Map<String, JobEvent> cancelled = client.await(List.of("vj-slow", "vj-late"), Set.of(), from, TestFarm.TIMEOUT,
          e -> { });
      assertInstanceOf(JobEvent.Cancelled.class, cancelled.get("vj-slow"), String.valueOf(cancelled));
      JobEvent.Cancelled late = assertInstanceOf(JobEvent.Cancelled.class, cancelled.get("vj-late"),
          String.valueOf(cancelled));
      assertEquals("job 'vj-slow', which this job waits for, was CANCELLED", late.reason());

      // Retried, the animation completes; retried then, the video job makes its video from it.
      var retried = client.eventPositions();
      client.retry("vj-slow");
      assertInstanceOf(JobEvent.Completed.class,
          client.await(List.of("vj-slow"), Set.of(), retried, TestFarm.TIMEOUT, e -> { }).get("vj-slow"));
      client.retry("vj-late");
      JobEvent.Completed done = assertInstanceOf(JobEvent.Completed.class,
          client.await(List.of("vj-late"), Set.of(), retried, TestFarm.TIMEOUT, e -> { }).get("vj-late"));
      assertEquals(2, done.attempt());
      assertEquals(12, done.frames());
      Path file = dir.resolve("vj-late.mp4");
      Files.write(file, farm.farm.blobs().get(done.video()));
      JsonNode stream = probe(file).at("/streams/0");
      assertEquals("5/1", stream.get("r_frame_rate").asText());
      assertEquals(12, stream.get("nb_read_frames").asInt());
    }
  }

  @Test
  void theHttpApiTakesAVideoJobAndServesItsVideo() throws Exception {
    // Three 40x30 frames in storage, a white square 10 pixels further right in each.
    for (int f = 1; f <= 3; f++) {
      BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
      java.awt.Graphics2D g = img.createGraphics();
      g.setColor(java.awt.Color.WHITE);
      g.fillRect(10 * f - 5, 10, 10, 10);
      g.dispose();
      java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
      ImageIO.write(img, "png", png);
      farm.farm.blobs().put(S3Uri.parse("s3://tilefarm/it/vj/api/f-" + f + ".png"), png.toByteArray(), "image/png");
    }
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    try (dev.tilefarm.api.HttpApi api = farm.farm.startApi();
        JobClient client = new JobClient(farm.farm.settings())) {
      var from = client.eventPositions();
      var bad = http.send(post(api, "{'type':'video','input':'s3://tilefarm/it/vj/api/f-#.png','frames':{'start':1,"
          + "'end':3}}"), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(400, bad.statusCode(), bad.body());
      assertEquals("video", Json.MAPPER.readTree(bad.body()).get("field").asText(), bad.body());
      var submitted = http.send(post(api, "{'id':'vj-api','type':'video','input':'s3://tilefarm/it/vj/api/f-#.png',"
          + "'frames':{'start':1,'end':3},'video':{'fps':2}}"), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(202, submitted.statusCode(), submitted.body());
      JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class,
          client.await(List.of("vj-api"), Set.of(), from, TestFarm.TIMEOUT, e -> { }).get("vj-api"));
      byte[] stored = farm.farm.blobs().get(c.video());
      long until = System.currentTimeMillis() + 60_000;
      java.net.http.HttpResponse<byte[]> video;
      do {
        assertTrue(System.currentTimeMillis() < until, "the API never served the video");
        Thread.sleep(200);
        video = http.send(java.net.http.HttpRequest.newBuilder(api.uri().resolve("/api/jobs/vj-api/video")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      } while (video.statusCode() != 200);
      assertEquals("video/mp4", video.headers().firstValue("Content-Type").orElse(""));
      org.junit.jupiter.api.Assertions.assertArrayEquals(stored, video.body());
      Path file = dir.resolve("vj-api.mp4");
      Files.write(file, video.body());
      JsonNode stream = probe(file).at("/streams/0");
      assertEquals(40, stream.get("width").asInt());
      assertEquals(30, stream.get("height").asInt());
      assertEquals("2/1", stream.get("r_frame_rate").asText());
      assertEquals(3, stream.get("nb_read_frames").asInt());
      List<Double> xs = new ArrayList<>();
      for (BufferedImage frame : decode(file)) {
        xs.add(brightX(frame));
      }
      assertEquals(3, xs.size());
      for (int i = 0; i < 3; i++) {
        assertEquals(10 + 10 * i, xs.get(i), 1.0, "video frame " + i + " of " + xs);
      }
    }
  }

  private static java.net.http.HttpRequest post(dev.tilefarm.api.HttpApi api, String json) {
    return java.net.http.HttpRequest.newBuilder(api.uri().resolve("/api/jobs"))
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json.replace('\'', '"'))).build();
  }

  /** ffprobe's view of a video: its first stream's codec, size, frame rate and decoded frames, and its container. */
  private static JsonNode probe(Path video) throws Exception {
    return Json.MAPPER.readTree(run("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
        "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames:format=format_name", "-of",
        "json", video.toString()));
  }

  /** The video's frames in order, as ffmpeg decodes them to PNG. */
  private static List<BufferedImage> decode(Path video) throws Exception {
    Path out = Files.createTempDirectory(dir, "frames");
    run("ffmpeg", "-v", "error", "-i", video.toString(), "-vsync", "0", out.resolve("%03d.png").toString());
    List<BufferedImage> frames = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.sorted().toList()) {
        frames.add(ImageIO.read(f.toFile()));
      }
    }
    return frames;
  }

  private static byte[] run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), new String(out, StandardCharsets.UTF_8));
    return out;
  }

  /** The mean x (pixel centres) of the bright pixels of a frame. */
  private static double brightX(BufferedImage img) {
    double sum = 0;
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if (((img.getRGB(x, y) >> 8) & 0xff) > 128) {
          sum += x + 0.5;
          n++;
        }
      }
    }
    assertTrue(n > 0, "a frame with no bright pixels");
    return sum / n;
  }
}
