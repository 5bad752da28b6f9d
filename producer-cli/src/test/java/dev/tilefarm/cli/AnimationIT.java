package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Animations of the builtin renderer through the real farm: a glTF file's node animation and a scene's camera
 * keys move what is drawn by the number of pixels worked out by hand, and preview order makes the ends and the
 * middle of a shot first.
 *
 * <p>The camera sits 5 units from the plane z = 0 with a vertical field of view of 2 atan(0.2): the plane's
 * visible height is 2 * 5 * 0.2 = 2 units over 64 pixels, 32 pixels a unit, the image centre at (48, 32) of 96 x 64.
 */
class AnimationIT {
  /** 2 atan(0.2) in degrees. */
  private static final double FOV = Math.toDegrees(2 * Math.atan(0.2));
  private static final String CAMERA = "'position':[0,0,5],'lookAt':[0,0,0],'fov':" + FOV;

  @TempDir
  Path dir;

  /** The centre (x, y) and size (width, height) in pixels of the bright pixels of an image. */
  private static double[] bright(BufferedImage img) {
    double sx = 0;
    double sy = 0;
    int n = 0;
    int minX = Integer.MAX_VALUE;
    int maxX = -1;
    int minY = Integer.MAX_VALUE;
    int maxY = -1;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if (((img.getRGB(x, y) >> 8) & 0xff) > 128) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    assertTrue(n > 0, "the image has no bright pixels");
    return new double[] {sx / n, sy / n, maxX - minX + 1, maxY - minY + 1};
  }

  private static BufferedImage frame(TestFarm farm, S3Uri pattern, int frame) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(farm.farm.blobs().get(JobRequest.Frames.outputOf(pattern, frame))));
  }

  private static void assertSquare(double[] want, double[] got, String what) {
    assertEquals(want[0], got[0], 0.5, what + ": centre x");
    assertEquals(want[1], got[1], 0.5, what + ": centre y");
    assertEquals(want[2], got[2], 1, what + ": width");
    assertEquals(want[3], got[3], 1, what + ": height");
  }

  @Test
  void aGltfAnimationMovesAndScalesItsNodeByTheExpectedPixels() throws Exception {
    byte[] gltf;
    try (InputStream in = AnimationIT.class.getResourceAsStream("/animated/slide.gltf")) {
      gltf = in.readAllBytes();
    }
    try (TestFarm farm = TestFarm.start(dir, 2)) {
      S3Uri file = S3Uri.parse("s3://tilefarm/it/anim/slide.gltf");
      farm.farm.blobs().put(file, gltf, "model/gltf+json");
      S3Uri pattern = S3Uri.parse("s3://tilefarm/it/anim/slide-##.png");
      JobEvent end = farm.runOne(TestFarm.json(("{'id':'slide-1','type':'render','renderer':'builtin','width':96,"
          + "'height':64,'tileSize':32,'samples':4,'frames':{'start':0,'end':24,'step':12},'output':'" + pattern
          + "','scene':{'camera':{" + CAMERA + "},'objects':[{'type':'gltf','file':'" + file + "'}]}}")
          .replace('\'', '"')));
      JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));
      assertEquals(3, c.frames());
      // slide.gltf at 24 fps: frame 0 is 0 s (x = -0.5), frame 12 is 0.5 s (x = 0), frame 24 is 1 s (x = 0.5,
      // and the scale stepped to 2 at 0.75 s). A 0.5-unit square is 16 pixels; x moves 32 pixels a unit.
      assertSquare(new double[] {32, 32, 16, 16}, bright(frame(farm, pattern, 0)), "frame 0");
      assertSquare(new double[] {48, 32, 16, 16}, bright(frame(farm, pattern, 12)), "frame 12");
      assertSquare(new double[] {64, 32, 32, 32}, bright(frame(farm, pattern, 24)), "frame 24");
    }
  }

  @Test
  void cameraKeysPanTheCameraAcrossTheShot() throws Exception {
    try (TestFarm farm = TestFarm.start(dir, 2)) {
      S3Uri pattern = S3Uri.parse("s3://tilefarm/it/anim/pan-##.png");
      // A glowing sphere of radius 0.25 at the origin; the camera moves 1 unit right (and looks 1 unit right)
      // from frame 0 to frame 10, so the sphere moves 32 pixels left, 16 by frame 5.
      JobEvent end = farm.runOne(TestFarm.json(("{'id':'pan-1','type':'render','renderer':'builtin','width':96,"
          + "'height':64,'samples':4,'frames':{'start':0,'end':10,'step':5},'frameOrder':'preview','output':'"
          + pattern + "','scene':{'cameraKeys':[{'frame':0," + CAMERA + "},{'frame':10,'position':[1,0,5],"
          + "'lookAt':[1,0,0],'fov':" + FOV + "}],'materials':{'glow':{'type':'emissive','color':[1,1,1],"
          + "'strength':1}},'objects':[{'type':'sphere','center':[0,0,0],'radius':0.25,'material':'glow'}]}}")
          .replace('\'', '"')));
      assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));
      double[] f0 = bright(frame(farm, pattern, 0));
      double[] f5 = bright(frame(farm, pattern, 5));
      double[] f10 = bright(frame(farm, pattern, 10));
      assertEquals(48, f0[0], 0.5, "frame 0 centre x");
      assertEquals(32, f0[1], 0.5, "frame 0 centre y");
      assertEquals(16, f0[0] - f5[0], 0.5, "frame 5 moved left by");
      assertEquals(32, f0[0] - f10[0], 0.5, "frame 10 moved left by");
      assertEquals(f0[1], f10[1], 0.5, "the pan is horizontal");
    }
  }

  /** ffprobe's view of a video's first stream: codec, width, height, frame rate and the frames it decoded. */
  private static com.fasterxml.jackson.databind.JsonNode probe(Path video) throws Exception {
    Process p = new ProcessBuilder("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
        "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames:format=format_name", "-of",
        "json", video.toString()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
    return dev.tilefarm.schemas.Json.MAPPER.readTree(out);
  }

  @Test
  void aVideoOfTheFramesIsEncodedWithFfmpegAndNamedInCompleted() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/ffmpeg")),
        "skipped: ffmpeg is not installed (Debian package ffmpeg; .ci/run installs it)");
    Map<String, String> flags = new HashMap<>();
    flags.put("data.dir", dir.toString());
    flags.put("topic.partitions", "3");
    flags.put("http.port", "0");
    Settings settings = Settings.load(flags, Map.of(), null);
    try (Farm embedded = Farm.startEmbedded(settings, 2, true, 0, 0, new Progress(System.err, false, true));
        dev.tilefarm.api.HttpApi api = embedded.startApi()) {
      String scene = "'scene':{'cameraKeys':[{'frame':0," + CAMERA + "},{'frame':10,'position':[1,0,5],"
          + "'lookAt':[1,0,0],'fov':" + FOV + "}],'materials':{'glow':{'type':'emissive','color':[1,1,1],"
          + "'strength':1}},'objects':[{'type':'sphere','center':[0,0,0],'radius':0.25,'material':'glow'}]}";
      ObjectNode mp4 = TestFarm.json(("{'id':'video-mp4','type':'render','renderer':'builtin','width':96,"
          + "'height':64,'samples':1,'frames':{'start':0,'end':10},'frameOrder':'preview','output':"
          + "'s3://tilefarm/it/video/a/f-##.png','video':{'format':'mp4','fps':12}," + scene + "}").replace('\'', '"'));
      // An odd size: H.264 in yuv420p needs even sides, so the encoder pads one black row and column.
      ObjectNode mov = TestFarm.json(("{'id':'video-mov','type':'render','renderer':'builtin','width':47,"
          + "'height':33,'samples':1,'frames':{'start':2,'end':10,'step':4},'output':"
          + "'s3://tilefarm/it/video/b/f-##.jpg','video':{'format':'mov','fps':5}," + scene + "}").replace('\'', '"'));
      Map<String, JobEvent> ends = JobRunner.run(embedded, List.of(mp4, mov), TestFarm.TIMEOUT,
          new Progress(System.err, false, true));

      JobEvent.Completed a = assertInstanceOf(JobEvent.Completed.class, ends.get("video-mp4"), String.valueOf(ends));
      assertEquals(S3Uri.parse("s3://tilefarm/it/video/a/f.mp4"), a.video());
      assertEquals(11, a.frames());
      Path fileA = dir.resolve("a.mp4");
      java.nio.file.Files.write(fileA, embedded.blobs().get(a.video()));
      var streamA = probe(fileA).at("/streams/0");
      assertEquals("h264", streamA.get("codec_name").asText());
      assertEquals(96, streamA.get("width").asInt());
      assertEquals(64, streamA.get("height").asInt());
      assertEquals("12/1", streamA.get("r_frame_rate").asText());
      assertEquals(11, streamA.get("nb_read_frames").asInt());
      assertTrue(probe(fileA).at("/format/format_name").asText().contains("mp4"));

      JobEvent.Completed b = assertInstanceOf(JobEvent.Completed.class, ends.get("video-mov"), String.valueOf(ends));
      assertEquals(S3Uri.parse("s3://tilefarm/it/video/b/f.mov"), b.video());
      Path fileB = dir.resolve("b.mov");
      java.nio.file.Files.write(fileB, embedded.blobs().get(b.video()));
      var streamB = probe(fileB).at("/streams/0");
      assertEquals("h264", streamB.get("codec_name").asText());
      assertEquals(48, streamB.get("width").asInt());
      assertEquals(34, streamB.get("height").asInt());
      assertEquals("5/1", streamB.get("r_frame_rate").asText());
      assertEquals(3, streamB.get("nb_read_frames").asInt());
      assertTrue(probe(fileB).at("/format/format_name").asText().contains("mov"));

      // The API serves each video with its type, byte for byte, once its view has the COMPLETED event.
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      long until = System.currentTimeMillis() + 60_000;
      for (String id : List.of("video-mp4", "video-mov")) {
        while (!Json().readTree(http.send(java.net.http.HttpRequest.newBuilder(api.uri().resolve("/api/jobs/" + id))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()).at("/job/video").isTextual()) {
          assertTrue(System.currentTimeMillis() < until, "the API never showed the video of " + id);
          Thread.sleep(200);
        }
      }
      var mp4Response = http.send(java.net.http.HttpRequest.newBuilder(api.uri().resolve("/api/jobs/video-mp4/video"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, mp4Response.statusCode());
      assertEquals("video/mp4", mp4Response.headers().firstValue("Content-Type").orElse(""));
      org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(fileA), mp4Response.body());
      var movResponse = http.send(java.net.http.HttpRequest.newBuilder(api.uri().resolve("/api/jobs/video-mov/video"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertEquals("video/quicktime", movResponse.headers().firstValue("Content-Type").orElse(""));
      org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(fileB), movResponse.body());
    }
  }

  private static com.fasterxml.jackson.databind.ObjectMapper Json() {
    return dev.tilefarm.schemas.Json.MAPPER;
  }

  @Test
  void previewOrderMakesTheEndsAndTheMiddleFirst() throws Exception {
    Map<String, String> flags = new HashMap<>();
    flags.put("data.dir", dir.toString());
    // One partition and one thread: tasks are taken in the order they were planned.
    flags.put("topic.partitions", "1");
    flags.put("worker.threads", "1");
    Settings settings = Settings.load(flags, Map.of(), null);
    try (Farm farm = Farm.startEmbedded(settings, 1, true, 0, 0, new Progress(System.err, false, true));
        JobClient client = new JobClient(farm.settings())) {
      var from = client.eventPositions();
      ObjectNode job = TestFarm.json(("{'id':'preview-1','type':'render','renderer':'builtin','width':16,"
          + "'height':16,'samples':1,'frames':{'start':1,'end':9},'frameOrder':'preview','scene':{'camera':{"
          + CAMERA + "},'materials':{'glow':{'type':'emissive','color':[1,1,1],'strength':1}},'objects':[{"
          + "'type':'sphere','center':[0,0,0],'radius':0.25,'material':'glow'}]}}").replace('\'', '"'));
      client.submit(job);
      List<Integer> frames = new ArrayList<>();
      Map<String, JobEvent> ends = client.await(List.of("preview-1"), Set.of(), from, TestFarm.TIMEOUT, e -> {
        if (e instanceof JobEvent.Frame f) {
          synchronized (frames) {
            frames.add(f.frame());
          }
        }
      });
      assertInstanceOf(JobEvent.Completed.class, ends.get("preview-1"), String.valueOf(ends));
      assertEquals(9, frames.size(), "FRAME events " + frames);
      // Roughly: a frame's tile is stored and announced on an I/O thread while the next renders, so neighbours in
      // the planned order (1, 9, 5, 3, 7, 2, 4, 6, 8) may swap: the ends come among the first three, the middle among
      // the first four, and the quarter points 3 and 7 on average before the frames of the last round.
      assertTrue(frames.subList(0, 3).containsAll(List.of(1, 9)), "the first frames made: " + frames);
      assertTrue(frames.subList(0, 4).contains(5), "the middle frame among the first four: " + frames);
      double quarters = (frames.indexOf(3) + frames.indexOf(7)) / 2.0;
      double last = (frames.indexOf(2) + frames.indexOf(4) + frames.indexOf(6) + frames.indexOf(8)) / 4.0;
      assertTrue(quarters < last, "the quarter points before the last round: " + frames);
    }
  }
}
