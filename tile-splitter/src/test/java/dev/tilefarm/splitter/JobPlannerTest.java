package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.JobLimits;
import java.nio.charset.StandardCharsets;
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

  private static ObjectNode json(String json) {
    return JobCodec.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  // ---- the whole plan ----

  @Test
  void aPlanIsTheCompositorsRecordTheTasksAndTheEventWithTheDeadlineOfTheTimeLimit() {
    ObjectNode submitted = json("{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":130,\"height\":64,"
        + "\"timeLimit\":60}");
    Plan plan = planner.plan(JobCodec.decode(submitted, "j1"), submitted, 1000L);
    S3Uri output = S3Uri.parse("s3://farm/outputs/j1.png");
    assertEquals(new JobControl.Planned("j1", 1000L, 3, 130, 64, output, 61_000L), plan.planned());
    assertEquals(new JobEvent.Accepted("j1", 1000L, "render", 3, 130, 64, output), plan.accepted());
    assertEquals(List.of(), plan.specs(), "a small job rides in its tasks");
    ObjectNode accepted = json("{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":130,\"height\":64,"
        + "\"timeLimit\":60,\"id\":\"j1\"}");
    assertEquals(List.of(
        new TileTask("j1", 3, 130, 64, output, S3Uri.parse("s3://farm/tiles/j1/0.tft"), 1000L, accepted, null,
            61_000L, TileTask.Work.Tile.of(new TileRect(0, 0, 0, 64, 64))),
        new TileTask("j1", 3, 130, 64, output, S3Uri.parse("s3://farm/tiles/j1/1.tft"), 1000L, accepted, null,
            61_000L, TileTask.Work.Tile.of(new TileRect(1, 64, 0, 64, 64))),
        new TileTask("j1", 3, 130, 64, output, S3Uri.parse("s3://farm/tiles/j1/2.tft"), 1000L, accepted, null,
            61_000L, TileTask.Work.Tile.of(new TileRect(2, 128, 0, 2, 64)))), plan.tasks());
    assertFalse(submitted.has("id"), "the submitted JSON is left as it came");
    assertEquals("render 130x64 in 3 tiles -> s3://farm/outputs/j1.png", plan.summary());
  }

  @Test
  void aJobWithoutATimeLimitHasNoDeadline() {
    ObjectNode submitted = json("{\"id\":\"j2\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":64,"
        + "\"height\":64}");
    Plan plan = planner.plan(JobCodec.decode(submitted, "x"), submitted, 5L);
    assertNull(plan.planned().deadline());
    assertNull(plan.tasks().get(0).deadline());
  }

  @Test
  void aProcessJobOfOnePassPinsItsInputInEveryTile() {
    JobPlanner pinned = new JobPlanner(new JobLimits(1_000_000, 100, 64),
        uri -> new ImageProbe.Size(300, 200, "\"v1\""), "farm");
    ObjectNode submitted = json("{\"type\":\"process\",\"input\":\"s3://inputs/photo.png\",\"tileSize\":100,"
        + "\"ops\":[{\"op\":\"grayscale\"}]}");
    Plan plan = pinned.plan(JobCodec.decode(submitted, "p1"), submitted, 0L);
    assertEquals(6, plan.tasks().size());
    assertEquals(new TileTask.Work.Tile(new TileRect(5, 200, 100, 100, 100), "\"v1\""), plan.tasks().get(5).work());
    assertEquals(S3Uri.parse("s3://farm/tiles/p1/5.tft"), plan.tasks().get(5).tileUri());
  }

  /**
   * A chain with a whole-image op starts with a statistics pass over its input; the job is stored, with the
   * tile size it was planned with, for the compositor to plan the next pass from.
   */
  @Test
  void aChainWithAWholeImageOpStartsWithAStatisticsPassAndStoresTheJob() throws Exception {
    ObjectNode submitted = json("{\"type\":\"process\",\"input\":\"s3://inputs/photo.png\","
        + "\"ops\":[{\"op\":\"equalize-hist\"}]}");
    Plan plan = planner.plan(JobCodec.decode(submitted, "p2"), submitted, 7L);
    S3Uri spec = S3Uri.parse("s3://farm/jobs/p2.json");
    assertEquals(1, plan.specs().size());
    assertEquals(spec, plan.specs().get(0).uri());
    assertEquals(json("{\"type\":\"process\",\"input\":\"s3://inputs/photo.png\","
        + "\"ops\":[{\"op\":\"equalize-hist\"}],\"id\":\"p2\",\"tileSize\":64}"),
        JobCodec.parse(plan.specs().get(0).json()));
    // 300 x 200 at the default 64 px: 5 columns, 4 rows, in the statistics pass as in the output.
    assertEquals(20, plan.tasks().size());
    assertEquals(20, plan.planned().tiles());
    TileTask last = plan.tasks().get(19);
    assertEquals(new TileTask("p2", 20, 300, 200, S3Uri.parse("s3://farm/outputs/p2.png"),
        S3Uri.parse("s3://farm/tiles/p2/pass-0/19.json"), 7L, null, spec, null,
        new TileTask.Work.PassTile(new TileRect(19, 256, 192, 44, 8), 0, null, null)), last);
    assertEquals("process 300x200 in 2 passes, 20 statistics tiles first, 20 output tiles -> "
        + "s3://farm/outputs/p2.png", plan.summary());
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
    Layout plan = planner.layout(job("{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":200,\"height\":100}"));
    assertEquals(4 * 2, plan.tiles().size());
    assertEquals(S3Uri.parse("s3://farm/outputs/j1.png"), plan.output());
  }

  @Test
  void processJobTakesItsSizeFromTheInput() {
    Layout plan = planner.layout(job("{\"type\":\"process\",\"input\":\"s3://inputs/photo.png\",\"tileSize\":100,"
        + "\"ops\":[{\"op\":\"grayscale\"}],\"output\":\"s3://out/x.jpg\"}"));
    assertEquals(300, plan.width());
    assertEquals(200, plan.height());
    assertEquals(6, plan.tiles().size());
  }

  @Test
  void missingAndUnreadableInputsAreRejectedNamingTheInput() {
    InvalidJobException missing = assertThrows(InvalidJobException.class, () -> planner.layout(
        job("{\"type\":\"process\",\"input\":\"s3://inputs/missing.png\",\"ops\":[{\"op\":\"grayscale\"}]}")));
    assertEquals("input", missing.field());
    assertEquals("s3://inputs/missing.png does not exist", missing.reason());
    InvalidJobException junk = assertThrows(InvalidJobException.class, () -> planner.layout(
        job("{\"type\":\"process\",\"input\":\"s3://inputs/notes.txt\",\"ops\":[{\"op\":\"grayscale\"}]}")));
    assertEquals("input", junk.field());
  }

  @Test
  void limitsNameTheField() {
    InvalidJobException pixels = assertThrows(InvalidJobException.class, () -> planner.layout(
        job("{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":2000,\"height\":1000}")));
    assertEquals("width", pixels.field());
    InvalidJobException tiles = assertThrows(InvalidJobException.class, () -> planner.layout(
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
        InvalidJobException e = assertThrows(InvalidJobException.class, () -> p.layout(jobOf("B", taken)), taken);
        assertEquals("output", e.field());
        assertEquals("B", e.jobId());
      }
      InvalidJobException e = assertThrows(InvalidJobException.class,
          () -> p.layout(jobOf("B", "s3://farm/outputs/A.png")));
      assertEquals(S3Uri.parse("s3://farm/outputs/A.png") + " is reserved for the default output of job 'A': under "
          + "s3://farm/outputs/ a job may write only its own (outputs/B.png, or outputs/B/...)", e.reason());
      InvalidJobException upload = assertThrows(InvalidJobException.class,
          () -> p.layout(jobOf("B", "s3://farm/uploads/0123.png")));
      assertEquals("output", upload.field());
      // A job's own default output, named explicitly, is its own.
      assertEquals(S3Uri.parse("s3://farm/outputs/B.png"), p.layout(jobOf("B", "s3://farm/outputs/B.png")).output());
      assertEquals(S3Uri.parse("s3://farm/outputs/B/final.jpg"),
          p.layout(jobOf("B", "s3://farm/outputs/B/final.jpg")).output());
    }
    // Outside the farm's bucket nothing is reserved by name (the compositor guards what other jobs wrote).
    assertEquals(S3Uri.parse("s3://out/outputs/A.png"), planner.layout(jobOf("B", "s3://out/outputs/A.png")).output());
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
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> confined.layout(job(json)));
    assertEquals(field, e.field());
    assertEquals(uri + " is in a bucket this farm may not read (allowed: inputs)", e.reason());
    // The same job from the allowed bucket is planned.
    Layout plan = confined.layout(job(json.replace("s3://secret/", "s3://inputs/")));
    assertEquals(64, plan.width());
  }
}
