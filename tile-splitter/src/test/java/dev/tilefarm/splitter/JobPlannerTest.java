package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.JobLimits;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobPlannerTest {
  private static final ImageProbe PROBE = uri -> switch (uri.key()) {
    case "photo.png" -> new ImageProbe.Size(300, 200);
    case "missing.png" -> throw new BlobNotFoundException(uri, null);
    default -> throw new ImageProbe.NotAnImageException("is not an image in a format the farm reads");
  };

  private final JobPlanner planner = new JobPlanner(new JobLimits(1_000_000, 100, 64), PROBE, "farm");

  private static JobRequest job(String json) {
    return JobCodec.decode(JobCodec.parse(json.getBytes()), "j1");
  }

  @Test
  void tilesCoverTheImageRowMajorWithSmallerEdgeTiles() {
    List<TileRect> tiles = JobPlanner.tiles(100, 70, 32);
    assertEquals(4 * 3, tiles.size());
    assertEquals(new TileRect(0, 0, 0, 32, 32), tiles.get(0));
    assertEquals(new TileRect(3, 96, 0, 4, 32), tiles.get(3));
    assertEquals(new TileRect(11, 96, 64, 4, 6), tiles.get(11));
    long area = tiles.stream().mapToLong(t -> (long) t.width() * t.height()).sum();
    assertEquals(100L * 70, area);
    for (int i = 0; i < tiles.size(); i++) {
      assertEquals(i, tiles.get(i).index());
    }
  }

  @Test
  void exactMultipleHasNoSliverTiles() {
    assertEquals(4, JobPlanner.tiles(64, 64, 32).size());
    assertEquals(1, JobPlanner.tiles(5, 5, 32).size());
  }

  @Test
  void renderJobUsesDefaultTileAndOutput() {
    Plan plan = planner.plan(job("{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":200,\"height\":100}"));
    assertEquals(4 * 2, plan.tiles().size());
    assertEquals(S3Uri.parse("s3://farm/outputs/j1.png"), plan.output());
  }

  @Test
  void processJobTakesItsSizeFromTheInput() {
    Plan plan = planner.plan(job("{\"type\":\"process\",\"input\":\"s3://inputs/photo.png\",\"tileSize\":100,"
        + "\"ops\":[{\"op\":\"grayscale\"}],\"output\":\"s3://out/x.jpg\"}"));
    assertEquals(300, plan.width());
    assertEquals(200, plan.height());
    assertEquals(6, plan.tiles().size());
  }

  @Test
  void missingAndUnreadableInputsAreRejectedNamingTheInput() {
    InvalidJobException missing = assertThrows(InvalidJobException.class, () -> planner.plan(
        job("{\"type\":\"process\",\"input\":\"s3://inputs/missing.png\",\"ops\":[{\"op\":\"grayscale\"}]}")));
    assertEquals("input", missing.field());
    assertEquals("s3://inputs/missing.png does not exist", missing.reason());
    InvalidJobException junk = assertThrows(InvalidJobException.class, () -> planner.plan(
        job("{\"type\":\"process\",\"input\":\"s3://inputs/notes.txt\",\"ops\":[{\"op\":\"grayscale\"}]}")));
    assertEquals("input", junk.field());
  }

  @Test
  void limitsNameTheField() {
    InvalidJobException pixels = assertThrows(InvalidJobException.class, () -> planner.plan(
        job("{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":2000,\"height\":1000}")));
    assertEquals("width", pixels.field());
    InvalidJobException tiles = assertThrows(InvalidJobException.class, () -> planner.plan(
        job("{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":1000,\"height\":1000,\"tileSize\":8}")));
    assertEquals("tileSize", tiles.field());
    assertEquals("j1", tiles.jobId());
  }

  private static JobRequest jobOf(String id, String output) {
    return JobCodec.decode(JobCodec.parse(("{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\","
        + "\"width\":64,\"height\":64,\"output\":\"" + output + "\"}").getBytes()), id);
  }

  @Test
  void anotherJobsDefaultOutputIsReservedEvenWhereOutputsMayGo() {
    JobPlanner confined = new JobPlanner(new JobLimits(1_000_000, 100, 64).confinedTo(List.of("farm/outputs/"),
        List.of()), PROBE, "farm");
    for (JobPlanner p : List.of(planner, confined)) {
      for (String taken : List.of("s3://farm/outputs/A.png", "s3://farm/outputs/A.jpg", "s3://farm/outputs/A/frame-0001.png",
          "s3://farm/outputs/A.b.png")) {
        InvalidJobException e = assertThrows(InvalidJobException.class, () -> p.plan(jobOf("B", taken)), taken);
        assertEquals("output", e.field());
        assertEquals("B", e.jobId());
      }
      InvalidJobException e = assertThrows(InvalidJobException.class, () -> p.plan(jobOf("B", "s3://farm/outputs/A.png")));
      assertEquals(S3Uri.parse("s3://farm/outputs/A.png") + " is reserved for the default output of job 'A': under "
          + "s3://farm/outputs/ a job may write only its own (outputs/B.png, or outputs/B/...)", e.reason());
      InvalidJobException upload = assertThrows(InvalidJobException.class,
          () -> p.plan(jobOf("B", "s3://farm/uploads/0123.png")));
      assertEquals("output", upload.field());
      // A job's own default output, named explicitly, is its own.
      assertEquals(S3Uri.parse("s3://farm/outputs/B.png"), p.plan(jobOf("B", "s3://farm/outputs/B.png")).output());
      assertEquals(S3Uri.parse("s3://farm/outputs/B/final.jpg"),
          p.plan(jobOf("B", "s3://farm/outputs/B/final.jpg")).output());
    }
    // Outside the farm's bucket nothing is reserved by name (the compositor guards what other jobs wrote).
    assertEquals(S3Uri.parse("s3://out/outputs/A.png"), planner.plan(jobOf("B", "s3://out/outputs/A.png")).output());
  }

  /** Every object a job names is confined to limits.input-buckets, not only a process job's input. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "{\"renderer\":\"povray\",\"scene\":\"s3://secret/x.pov\"}|scene.file|s3://secret/x.pov",
      "{\"renderer\":\"povray\",\"scene\":{\"file\":\"s3://secret/x.zip\",\"main\":\"a.pov\"}}|scene.file|s3://secret/x.zip",
      "{\"renderer\":\"blender\",\"scene\":\"s3://secret/x.blend\"}|scene.file|s3://secret/x.blend",
      "{\"renderer\":\"builtin\",\"scene\":\"s3://secret/scene.json\"}|scene|s3://secret/scene.json",
      "{\"renderer\":\"builtin\",\"scene\":{CAM,\"assets\":\"s3://secret/a/\",\"objects\":[{\"type\":\"mesh\",\"file\":\"m.obj\"}]}}"
          + "|scene.assets|s3://secret/a/",
      "{\"renderer\":\"builtin\",\"scene\":{CAM,\"textures\":{\"t\":{\"type\":\"image\",\"file\":\"s3://secret/t.png\"}},"
          + "\"materials\":{\"m\":{\"type\":\"diffuse\",\"color\":[1,1,1],\"texture\":\"t\"}},"
          + "\"objects\":[{\"type\":\"sphere\",\"center\":[0,0,0],\"radius\":1,\"material\":\"m\"}]}}"
          + "|scene.textures.t.file|s3://secret/t.png",
      "{\"renderer\":\"builtin\",\"scene\":{CAM,MAT,\"environment\":{\"file\":\"s3://secret/sky.hdr\"},"
          + "\"objects\":[{\"type\":\"sphere\",\"center\":[0,0,0],\"radius\":1,\"material\":\"w\"}]}}|scene.environment.file|s3://secret/sky.hdr",
      "{\"renderer\":\"builtin\",\"scene\":{CAM,MAT,\"objects\":[{\"type\":\"sphere\",\"center\":[0,0,0],\"radius\":1,\"material\":\"w\"},"
          + "{\"type\":\"gltf\",\"file\":\"s3://secret/m.glb\"}]}}|scene.objects[1].file|s3://secret/m.glb",
      "{\"renderer\":\"builtin\",\"scene\":{CAM,\"objects\":[{\"type\":\"mesh\",\"file\":\"s3://secret/m.obj\"}]}}"
          + "|scene.objects[0].file|s3://secret/m.obj"})
  void aRenderJobReadingOutsideTheInputBucketsIsRejectedNamingTheField(String fields, String field, String uri) {
    JobPlanner confined = new JobPlanner(new JobLimits(1_000_000, 100, 64).confinedTo(List.of(),
        List.of("inputs")), PROBE, "farm");
    String json = ("{\"type\":\"render\",\"width\":64,\"height\":64," + fields.substring(1))
        .replace("CAM", "\"camera\":{\"position\":[0,2,3],\"lookAt\":[0,0,0]}")
        .replace("MAT", "\"materials\":{\"w\":{\"type\":\"diffuse\",\"color\":[1,1,1]}}");
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> confined.plan(job(json)));
    assertEquals(field, e.field());
    assertEquals(uri + " is in a bucket this farm may not read (allowed: inputs)", e.reason());
    // The same job from the allowed bucket is planned.
    Plan plan = confined.plan(job(json.replace("s3://secret/", "s3://inputs/")));
    assertEquals(64, plan.width());
  }
}
