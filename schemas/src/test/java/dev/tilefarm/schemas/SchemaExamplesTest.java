package dev.tilefarm.schemas;

import static dev.tilefarm.schemas.ContractSchemas.baseName;
import static dev.tilefarm.schemas.ContractSchemas.bytes;
import static dev.tilefarm.schemas.ContractSchemas.describe;
import static dev.tilefarm.schemas.ContractSchemas.examples;
import static dev.tilefarm.schemas.ContractSchemas.pointer;
import static dev.tilefarm.schemas.ContractSchemas.read;
import static dev.tilefarm.schemas.ContractSchemas.validate;
import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The schema files and their examples, checked against the validator and against the farm's own decoders. */
class SchemaExamplesTest {
  /** The field each invalid job names: the schema must fault it, and JobCodec must reject the job naming it. */
  private static final Map<String, String> INVALID = Map.ofEntries(
      entry("bad-id", "id"),
      entry("povray-exr-output", "output"),
      entry("process-exr-output", "output"),
      entry("povray-with-samples", "samples"),
      entry("frames-for-builtin", "frames"),
      entry("animation-output-without-hashes", "output"),
      entry("povray-scene-not-pov", "scene.file"),
      entry("povray-main-climbs-out", "scene.main"),
      entry("blender-unknown-option", "scene.engine"),
      entry("builtin-without-scene", "scene"),
      entry("camera-fov-too-wide", "scene.camera.fov"),
      entry("conductor-roughness-above-one", "scene.materials.metal.roughness"),
      entry("diffuse-color-above-one", "scene.materials.white.color[1]"),
      entry("empty-ops", "ops"),
      entry("clahe-grid-too-large", "ops[0].grid"),
      entry("fractional-samples", "samples"),
      entry("gltf-object-with-fbx-file", "scene.objects[1].file"),
      entry("gaussian-blur-without-sigma", "ops[0].sigma"),
      entry("grayscale-with-sigma", "ops[0].sigma"),
      entry("input-path-traversal", "input"),
      entry("input-without-key", "input"),
      entry("mandelbrot-center-three-numbers", "scene.center"),
      entry("sleep-without-millis", "scene.millisPerTile"),
      entry("mandelbrot-with-builtin-scene", "scene.camera"),
      entry("missing-type", "type"),
      entry("negative-width", "width"),
      entry("no-objects", "scene.objects"),
      entry("output-bad-bucket", "output"),
      entry("output-gif", "output"),
      entry("process-with-width", "width"),
      entry("render-with-ops", "ops"),
      entry("seed-beyond-int64", "seed"),
      entry("sigma-out-of-range", "ops[0].sigma"),
      entry("sphere-zero-radius", "scene.objects[0].radius"),
      entry("spot-angle-too-wide", "scene.lights[0].angle"),
      entry("stored-scene-not-a-scene-file", "scene"),
      entry("tile-size-too-small", "tileSize"),
      entry("time-limit-zero", "timeLimit"),
      entry("too-many-ops", "ops"),
      entry("unknown-encoding", "scene.encoding"),
      entry("unknown-field", "sampels"),
      entry("unknown-material-type", "scene.materials.glass.type"),
      entry("unknown-object-type", "scene.objects[1].type"),
      entry("unknown-op", "ops[1].op"),
      entry("unknown-renderer", "renderer"),
      entry("unknown-scene-field", "scene.shadows"),
      entry("unknown-type", "type"),
      entry("width-as-string", "width"));

  /** Jobs the schema allows but the farm refuses, for checks a schema cannot express; and the field named. */
  private static final Map<String, String> BEYOND_SCHEMA = Map.ofEntries(
      entry("asset-path-climbs-out", "scene.objects[0].file"),
      entry("linear16-with-jpeg-output", "scene.encoding"),
      entry("look-at-equals-position", "scene.camera.lookAt"),
      entry("mesh-index-out-of-range", "scene.objects[1].indices[2]"),
      entry("relative-file-without-assets", "scene.objects[0].file"),
      entry("undefined-material", "scene.objects[0].material"),
      entry("undefined-texture", "scene.materials.white.texture"),
      entry("up-parallel-to-view", "scene.camera.up"),
      entry("zero-plane-normal", "scene.objects[1].normal"));

  /** The message types of the topics whose values are records written by Jackson, by schema name. */
  private static final Map<String, Class<?>> RECORD_TYPES = Map.of(
      "job-event", JobEvent.class,
      "tile-task", TileTask.class,
      "tile-result", TileResult.class,
      "dead-letter", DeadLetter.class,
      "job-control", JobControl.class,
      "worker-status", WorkerStatus.class);

  @Test
  void everySchemaIsAValidDraft202012SchemaWithItsOwnId() {
    for (String name : ContractSchemas.NAMES) {
      JsonNode schema = read(ContractSchemas.schemaFile(name));
      Set<ValidationMessage> errors = ContractSchemas.metaSchema().validate(schema);
      assertTrue(errors.isEmpty(), name + " against the meta-schema:" + describe(errors));
      assertEquals("https://json-schema.org/draft/2020-12/schema", schema.path("$schema").asText(), name);
      assertEquals(ContractSchemas.BASE + name + ".schema.json", schema.path("$id").asText(), name);
      assertFalse(schema.path("title").asText().isEmpty(), name + " has no title");
      assertFalse(schema.path("description").asText().isEmpty(), name + " has no description");
    }
  }

  @Test
  void everySchemaFileIsListedAndEveryExampleFolderIsASchema() throws IOException {
    try (Stream<Path> files = Files.list(ContractSchemas.folder())) {
      Set<String> onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".schema.json"))
          .map(n -> n.substring(0, n.length() - ".schema.json".length())).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(new TreeSet<>(ContractSchemas.NAMES), onDisk);
    }
    try (Stream<Path> dirs = Files.list(ContractSchemas.folder().resolve("examples"))) {
      Set<String> folders = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(new TreeSet<>(List.of("job-request", "job-event", "tile-task", "tile-result", "dead-letter",
          "job-cancel", "job-control", "report", "worker-status", "s3-event", "job-schedule", "job-retry")), folders);
    }
  }

  /** Notifications come from the object store, not from the farm: their examples meet the schema. */
  @Test
  void everyS3EventExampleMatchesTheSchema() {
    List<Path> events = examples("s3-event");
    assertFalse(events.isEmpty());
    for (Path file : events) {
      Set<ValidationMessage> errors = validate("s3-event", read(file));
      assertTrue(errors.isEmpty(), file + ":" + describe(errors));
    }
  }

  /** Analysis reports are written by the compositor, not decoded by the farm: their examples meet the schema. */
  @Test
  void everyReportExampleMatchesTheSchema() {
    List<Path> reports = examples("report");
    assertFalse(reports.isEmpty());
    for (Path file : reports) {
      Set<ValidationMessage> errors = validate("report", read(file));
      assertTrue(errors.isEmpty(), file + ":" + describe(errors));
    }
  }

  /** The descriptions are the documentation: every property says what it is, directly or through its $ref. */
  @Test
  void everyPropertyIsDescribed() {
    List<String> undescribed = new ArrayList<>();
    for (String name : ContractSchemas.NAMES) {
      JsonNode root = read(ContractSchemas.schemaFile(name));
      collectUndescribed(name, root, root, "", undescribed);
    }
    assertTrue(undescribed.isEmpty(), "properties without a description: " + undescribed);
  }

  private static void collectUndescribed(String file, JsonNode root, JsonNode node, String path, List<String> out) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectUndescribed(file, root, node.get(i), path + "/" + i, out);
      }
      return;
    }
    if (!node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("if")) {
        continue; // an if only selects a branch; the branch's properties carry the descriptions
      }
      if (e.getKey().equals("properties")) {
        e.getValue().fields().forEachRemaining(p -> {
          if (!described(file, root, p.getValue())) {
            out.add(file + "#" + path + "/properties/" + p.getKey());
          }
        });
      }
      collectUndescribed(file, root, e.getValue(), path + "/" + e.getKey(), out);
    }
  }

  private static boolean described(String file, JsonNode root, JsonNode property) {
    if (property.hasNonNull("description")) {
      return true;
    }
    String ref = property.path("$ref").asText("");
    if (ref.isEmpty()) {
      return false;
    }
    int hash = ref.indexOf('#');
    String target = hash < 0 ? ref : ref.substring(0, hash);
    String fragment = hash < 0 ? "" : ref.substring(hash + 1);
    JsonNode doc = target.isEmpty() ? root : read(ContractSchemas.folder().resolve(target));
    String targetFile = target.isEmpty() ? file : target;
    JsonNode resolved = doc.at(fragment);
    return !resolved.isMissingNode() && described(targetFile, doc, resolved);
  }

  @TestFactory
  Stream<DynamicTest> everyValidExampleMatchesItsSchema() {
    return RECORD_TYPES.keySet().stream().sorted().flatMap(name -> examples(name).stream())
        .map(file -> dynamicTest(file.getParent().getFileName() + "/" + file.getFileName(), () -> {
          String name = file.getParent().getFileName().toString();
          Set<ValidationMessage> errors = validate(name, read(file));
          assertTrue(errors.isEmpty(), file + ":" + describe(errors));
        }));
  }

  /** The examples of Jackson-written messages are exactly what the code writes: they decode and re-encode unchanged. */
  @TestFactory
  Stream<DynamicTest> everyMessageExampleIsWhatTheCodeWrites() {
    return RECORD_TYPES.keySet().stream().sorted().flatMap(name -> examples(name).stream())
        .map(file -> dynamicTest(file.getParent().getFileName() + "/" + file.getFileName(), () -> {
          Class<?> type = RECORD_TYPES.get(file.getParent().getFileName().toString());
          assertEquals(read(file), reencoded(type, bytes(file)), file.toString());
        }));
  }

  private static <T> JsonNode reencoded(Class<T> type, byte[] bytes) {
    JsonSerde<T> serde = new JsonSerde<>(type);
    try {
      return ContractSchemas.PLAIN.readTree(serde.encode(serde.decode(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyValidJobExampleMatchesTheSchemaAndDecodes() {
    List<Path> jobs = examples("job-request");
    assertTrue(jobs.size() >= 3, "job examples: " + jobs);
    return jobs.stream().map(file -> dynamicTest(file.getFileName().toString(), () -> {
      JsonNode json = read(file);
      Set<ValidationMessage> errors = validate("job-request", json);
      assertTrue(errors.isEmpty(), file + ":" + describe(errors));
      JobRequest job = JobCodec.decode(JobCodec.parse(bytes(file)), "fallback");
      assertEquals(json.path("id").asText("fallback"), job.id());
      assertEquals(json.get("type").asText(), job.type());
    }));
  }

  @Test
  void theValidJobExamplesDecodeToWhatTheySay() {
    JobRequest.Render builtin = (JobRequest.Render) decodeExample("render-builtin");
    SceneSpec.Builtin scene = (SceneSpec.Builtin) builtin.scene();
    assertEquals(3, scene.objects().size());
    assertEquals(3, scene.materials().size());
    assertEquals(64, builtin.samples());
    assertEquals(42, builtin.seed());

    JobRequest.Render mandelbrot = (JobRequest.Render) decodeExample("render-mandelbrot");
    assertEquals(new SceneSpec.Mandelbrot(-0.743643887, 0.131825904, 5000, 4096), mandelbrot.scene());
    assertEquals("jpeg", mandelbrot.output().extension());

    JobRequest.Render minimal = (JobRequest.Render) decodeExample("render-mandelbrot-minimal");
    assertEquals(new JobRequest.Render("fallback", 640, 480, Renderer.MANDELBROT,
        new SceneSpec.Mandelbrot(-0.5, 0, 1, 256),
        16, 0, 0, null), minimal, "the defaults the schema states");

    JobRequest.Process process = (JobRequest.Process) decodeExample("process");
    assertEquals(List.of(new ImageOp.Grayscale(), new ImageOp.GaussianBlur(2.5)), process.ops());
    assertEquals(S3Uri.parse("s3://uploads/scans/scan-0042.png"), process.input());
  }

  @TestFactory
  Stream<DynamicTest> everyCancelExampleMatchesTheSchemaAndDecodes() {
    List<Path> files = examples("job-cancel");
    assertFalse(files.isEmpty());
    return files.stream().map(file -> dynamicTest(file.getFileName().toString(), () -> {
      JsonNode json = read(file);
      Set<ValidationMessage> errors = validate("job-cancel", json);
      assertTrue(errors.isEmpty(), file + ":" + describe(errors));
      JobCancel cancel = JobCodec.cancelOf(JobCodec.parse(bytes(file)));
      assertEquals(json.get("cancel").asText(), cancel.jobId());
      assertEquals(json.path("reason").asText(null), cancel.reason());
    }));
  }

  @TestFactory
  Stream<DynamicTest> everyScheduleExampleMatchesTheSchemaAndDecodes() {
    List<Path> files = examples("job-schedule");
    assertEquals(3, files.size());
    return files.stream().map(file -> dynamicTest(file.getFileName().toString(), () -> {
      JsonNode json = read(file);
      Set<ValidationMessage> errors = validate("job-schedule", json);
      assertTrue(errors.isEmpty(), file + ":" + describe(errors));
      JobSchedule schedule = JobCodec.scheduleOf(JobCodec.parse(bytes(file)));
      assertEquals("shot-042", schedule.jobId());
      switch (schedule) {
        case JobSchedule.Pause p -> assertTrue(json.has("pause"));
        case JobSchedule.Resume r -> assertTrue(json.has("resume"));
        case JobSchedule.Reprioritize r -> assertEquals(json.get("priority").asInt(), r.priority());
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> everyRetryExampleMatchesTheSchemaAndDecodes() {
    List<Path> files = examples("job-retry");
    assertFalse(files.isEmpty());
    return files.stream().map(file -> dynamicTest(file.getFileName().toString(), () -> {
      JsonNode json = read(file);
      Set<ValidationMessage> errors = validate("job-retry", json);
      assertTrue(errors.isEmpty(), file + ":" + describe(errors));
      assertEquals(json.get("retry").asText(), JobCodec.retryOf(JobCodec.parse(bytes(file))).jobId());
    }));
  }

  @Test
  void aBadScheduleRequestFailsTheSchemaAndTheDecoderNamingTheField() {
    var plain = ContractSchemas.PLAIN;
    JsonNode tooHigh = plain.createObjectNode().put("reprioritize", "j1").put("priority", 101);
    assertFalse(validate("job-schedule", tooHigh).isEmpty());
    assertEquals("priority", assertThrows(InvalidJobException.class, () -> JobCodec.scheduleOf(tooHigh)).field());
    JsonNode missing = plain.createObjectNode().put("reprioritize", "j1");
    assertFalse(validate("job-schedule", missing).isEmpty());
    assertEquals("priority", assertThrows(InvalidJobException.class, () -> JobCodec.scheduleOf(missing)).field());
    JsonNode extra = plain.createObjectNode().put("pause", "j1").put("priority", 3);
    assertFalse(validate("job-schedule", extra).isEmpty());
    assertEquals("priority", assertThrows(InvalidJobException.class, () -> JobCodec.scheduleOf(extra)).field());
    JsonNode both = plain.createObjectNode().put("pause", "j1").put("resume", "j1");
    assertFalse(validate("job-schedule", both).isEmpty());
    assertEquals("resume", assertThrows(InvalidJobException.class, () -> JobCodec.scheduleOf(both)).field());
    JsonNode badId = plain.createObjectNode().put("pause", "no spaces");
    assertFalse(validate("job-schedule", badId).isEmpty());
    assertEquals("pause", assertThrows(InvalidJobException.class, () -> JobCodec.scheduleOf(badId)).field());
    assertNull(JobCodec.scheduleOf(plain.createObjectNode().put("cancel", "j1")));
  }

  @Test
  void aJobsPriorityIsCheckedByTheSchemaAndTheDecoder() {
    JsonNode job = read(examples("job-request").get(0));
    var high = ((com.fasterxml.jackson.databind.node.ObjectNode) job.deepCopy()).put("priority", 90);
    assertTrue(validate("job-request", high).isEmpty(), describe(validate("job-request", high)));
    assertEquals(90, JobCodec.priorityOf(high));
    JobCodec.decode(high, "fallback");
    assertEquals(JobSchedule.DEFAULT_PRIORITY, JobCodec.priorityOf(high.deepCopy().without("priority")));
    var bad = ((com.fasterxml.jackson.databind.node.ObjectNode) job.deepCopy()).put("priority", -1);
    assertFalse(validate("job-request", bad).isEmpty());
    assertEquals("priority", assertThrows(InvalidJobException.class, () -> JobCodec.decode(bad, "f")).field());
  }

  @Test
  void aRetryRequestWithAnUnknownFieldFailsTheSchemaAndTheDecoder() {
    JsonNode bad = ContractSchemas.PLAIN.createObjectNode().put("retry", "j1").put("reason", "x");
    assertFalse(validate("job-retry", bad).isEmpty());
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> JobCodec.retryOf(bad));
    assertEquals("reason", e.field());
  }

  @Test
  void theChainExampleWaitsForItsInputJobAndItsAfterList() {
    JsonNode json = read(examples("job-request").stream()
        .filter(p -> p.getFileName().toString().equals("process-after-render.json")).findFirst().orElseThrow());
    JobLinks links = JobCodec.linksOf(json, "city-lights-grey");
    assertEquals(List.of("city-lights-sky"), links.after());
    assertEquals("city-lights", links.inputJob());
    assertEquals(List.of("city-lights-sky", "city-lights"), links.all());
    assertEquals(null, ((JobRequest.Process) JobCodec.decode(json, "x")).input());
    assertEquals(2, JobCodec.maxAttemptsOf(json));
  }

  @Test
  void aCancelRequestWithAnUnknownFieldFailsTheSchemaAndTheDecoder() {
    JsonNode bad = ContractSchemas.PLAIN.createObjectNode().put("cancel", "j1").put("because", "x");
    assertFalse(validate("job-cancel", bad).isEmpty());
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> JobCodec.cancelOf(bad));
    assertEquals("because", e.field());
    assertEquals(null, JobCodec.cancelOf(ContractSchemas.PLAIN.createObjectNode().put("type", "render")));
  }

  @Test
  void theTimeLimitExampleDecodesAndCarriesItsLimit() {
    Path file = ContractSchemas.folder().resolve("examples/job-request/render-with-time-limit.json");
    JobRequest job = JobCodec.decode(JobCodec.parse(bytes(file)), "fallback");
    assertEquals(600, job.timeLimit());
    assertEquals(1_000_000L + 600_000L, job.deadline(1_000_000L));
    assertEquals(0, decodeExample("render-mandelbrot").timeLimit(), "no time limit");
    assertNull(decodeExample("render-mandelbrot").deadline(1_000_000L));
  }

  private static JobRequest decodeExample(String name) {
    Path file = ContractSchemas.folder().resolve("examples/job-request/" + name + ".json");
    return JobCodec.decode(JobCodec.parse(bytes(file)), "fallback");
  }

  @Test
  void everyInvalidJobExampleIsInTheTable() {
    Set<String> files = examples("job-request/invalid").stream().map(ContractSchemas::baseName)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(INVALID.keySet()), files);
    Set<String> beyond = examples("job-request/beyond-schema").stream().map(ContractSchemas::baseName)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(BEYOND_SCHEMA.keySet()), beyond);
  }

  @TestFactory
  Stream<DynamicTest> everyInvalidJobFailsTheSchemaAndTheDecoderAtItsField() {
    return examples("job-request/invalid").stream().map(file -> dynamicTest(baseName(file), () -> {
      String field = INVALID.get(baseName(file));
      Set<ValidationMessage> errors = validate("job-request", read(file));
      assertFalse(errors.isEmpty(), file + " passes the schema");
      assertTrue(errors.stream().anyMatch(e -> pointer(e).equals(pointer(field))),
          file + ": no schema error at " + pointer(field) + ":" + describe(errors));

      InvalidJobException e = assertThrows(InvalidJobException.class,
          () -> JobCodec.decode(JobCodec.parse(bytes(file)), "fallback"));
      assertEquals(field, e.field(), e.getMessage());
      assertEquals(JobCodec.idOf(read(file), "fallback"), e.jobId());
      assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }));
  }

  @TestFactory
  Stream<DynamicTest> beyondSchemaJobsPassTheSchemaButTheDecoderRejectsThem() {
    return examples("job-request/beyond-schema").stream().map(file -> dynamicTest(baseName(file), () -> {
      Set<ValidationMessage> errors = validate("job-request", read(file));
      assertTrue(errors.isEmpty(), file + ":" + describe(errors));
      InvalidJobException e = assertThrows(InvalidJobException.class,
          () -> JobCodec.decode(JobCodec.parse(bytes(file)), "fallback"));
      assertEquals(BEYOND_SCHEMA.get(baseName(file)), e.field(), e.getMessage());
    }));
  }
}
