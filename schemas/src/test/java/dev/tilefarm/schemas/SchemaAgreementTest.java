package dev.tilefarm.schemas;

import static dev.tilefarm.schemas.ContractSchemas.describe;
import static dev.tilefarm.schemas.ContractSchemas.pointer;
import static dev.tilefarm.schemas.ContractSchemas.read;
import static dev.tilefarm.schemas.ContractSchemas.schemaFile;
import static dev.tilefarm.schemas.ContractSchemas.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The schemas and the Java code say the same thing: the same limits and names, and the same verdict on
 * jobs at and just past every boundary. Where they cannot agree the difference is pinned down here.
 */
class SchemaAgreementTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Object REMOVE = new Object();

  // ---- the same constants ----

  @Test
  void theJobSchemaStatesTheDecodersLimits() {
    JsonNode defs = read(schemaFile("job-request")).get("$defs");
    JsonNode render = defs.at("/renderJob/properties");
    assertEquals("^" + JobRequest.ID.pattern() + "$", defs.at("/jobId/pattern").asText());
    for (String side : List.of("width", "height")) {
      assertEquals(1, render.at("/" + side + "/minimum").asInt());
      assertEquals(JobRequest.MAX_SIDE, render.at("/" + side + "/maximum").asInt());
    }
    assertEquals(JobRequest.MIN_TILE, defs.at("/tileSize/minimum").asInt());
    assertEquals(JobRequest.MAX_TILE, defs.at("/tileSize/maximum").asInt());
    assertEquals(Renderer.ids(), strings(render.at("/renderer/enum")));
    assertEquals(Long.MIN_VALUE, render.at("/seed/minimum").longValue());
    assertEquals(Long.MAX_VALUE, render.at("/seed/maximum").longValue());
    assertEquals(JobCodec.MAX_OPS, defs.at("/processJob/properties/ops/maxItems").asInt());
    assertEquals(Ops.names(), strings(defs.at("/op/properties/op/enum")));
    assertEquals(ImageOp.GaussianBlur.MIN_SIGMA, defs.at("/gaussianBlur/properties/sigma/minimum").asDouble());
    assertEquals(ImageOp.GaussianBlur.MAX_SIGMA, defs.at("/gaussianBlur/properties/sigma/maximum").asDouble());

    JsonNode scene = read(schemaFile("builtin-scene"));
    assertEquals(Scenes.MAX_OBJECTS, scene.at("/properties/objects/maxItems").asInt());
    assertEquals(Scenes.MAX_MATERIALS, scene.at("/properties/materials/maxProperties").asInt());
  }

  /**
   * Each op's definition in the job schema is its declaration in {@link Ops}: the same parameters, each with the
   * same type, range (or values) and default, and the same required ones.
   */
  @TestFactory
  Stream<DynamicTest> theJobSchemaStatesEveryOpsParameters() {
    JsonNode defs = read(schemaFile("job-request")).get("$defs");
    return Ops.specs().stream().map(spec -> dynamicTest(spec.name(), () -> {
      JsonNode def = null;
      for (JsonNode d : defs) {
        if (spec.name().equals(d.at("/properties/op/const").asText(null))) {
          def = d;
        }
      }
      assertTrue(def != null, "no schema definition of op " + spec.name());
      List<String> properties = new ArrayList<>();
      def.get("properties").fieldNames().forEachRemaining(properties::add);
      properties.remove("op");
      assertEquals(spec.params().stream().map(Ops.Param::name).toList(), properties, "parameters");
      Set<String> alternatives = new TreeSet<>();
      def.path("oneOf").forEach(branch -> branch.path("required").forEach(n -> alternatives.add(n.asText())));
      Set<String> required = new TreeSet<>(strings(def.get("required")));
      required.remove("op");
      Set<String> noDefault = new TreeSet<>();
      for (Ops.Param param : spec.params()) {
        JsonNode p = def.get("properties").get(param.name());
        String where = spec.name() + "." + param.name();
        switch (param) {
          case Ops.Param.Int i -> {
            if (i.only().isEmpty()) {
              assertEquals("integer", p.path("type").asText(), where);
              assertEquals(i.min(), p.path("minimum").asLong(), where + " minimum");
              assertEquals(i.max(), p.path("maximum").asLong(), where + " maximum");
              assertEquals(i.odd(), p.at("/not/multipleOf").asInt() == 2, where + " odd");
            } else {
              assertEquals(i.only().stream().map(String::valueOf).toList(), strings(p.get("enum")), where + " values");
            }
            assertEquals(i.fallback() == null ? null : String.valueOf(i.fallback()), text(p.get("default")),
                where + " default");
            if (i.fallback() == null) {
              noDefault.add(param.name());
            }
          }
          case Ops.Param.Num n -> {
            assertEquals("number", p.path("type").asText(), where);
            assertEquals(n.min(), p.path("minimum").asDouble(), where + " minimum");
            assertEquals(n.max(), p.path("maximum").asDouble(), where + " maximum");
            assertEquals(n.fallback(), p.has("default") ? p.get("default").asDouble() : null, where + " default");
            if (n.fallback() == null) {
              noDefault.add(param.name());
            }
          }
          case Ops.Param.Choice c -> {
            assertEquals(c.values(), strings(p.get("enum")), where + " values");
            assertEquals(c.fallback(), text(p.get("default")), where + " default");
            if (c.fallback() == null) {
              noDefault.add(param.name());
            }
          }
          case Ops.Param.Bool b -> {
            assertEquals("boolean", p.path("type").asText(), where);
            assertEquals(b.fallback(), p.path("default").asBoolean(!b.fallback()), where + " default");
          }
        }
      }
      noDefault.removeAll(alternatives);
      assertEquals(noDefault, required, "required parameters of " + spec.name());
    }));
  }

  private static String text(JsonNode node) {
    return node == null ? null : node.asText();
  }

  @Test
  void theEventSchemasStateTheCodesNames() {
    assertEquals(subtypeNames(JobEvent.class), strings(read(schemaFile("job-event")).at("/properties/status/enum")));
    assertEquals(subtypeNames(TileResult.class), strings(read(schemaFile("tile-result")).at("/properties/status/enum")));
    assertEquals(subtypeNames(JobControl.class), strings(read(schemaFile("job-control")).at("/properties/status/enum")));
    assertEquals(subtypeNames(TileTask.Work.class),
        strings(read(schemaFile("tile-task")).at("/$defs/work/properties/kind/enum")));
    assertEquals(TileTask.VERSION, read(schemaFile("tile-task")).at("/properties/version/const").asInt());
    assertEquals(Arrays.stream(ImageFormat.values()).map(Enum::name).collect(Collectors.toList()),
        strings(read(schemaFile("job-event")).at("/$defs/completed/properties/format/enum")));
  }

  /** Each message record's components are exactly the properties of its schema (plus the type's "status"). */
  @Test
  void theMessageSchemasHaveTheRecordsFields() {
    Map<Class<?>, String> defs = Map.ofEntries(
        Map.entry(JobEvent.Accepted.class, "job-event#/$defs/accepted"),
        Map.entry(JobEvent.Progress.class, "job-event#/$defs/progress"),
        Map.entry(JobEvent.Completed.class, "job-event#/$defs/completed"),
        Map.entry(JobEvent.Failed.class, "job-event#/$defs/failed"),
        Map.entry(JobEvent.Rejected.class, "job-event#/$defs/rejected"),
        Map.entry(JobEvent.Cancelled.class, "job-event#/$defs/cancelled"),
        Map.entry(JobControl.Planned.class, "job-control#/$defs/planned"),
        Map.entry(JobControl.Cancel.class, "job-control#/$defs/cancel"),
        Map.entry(JobControl.Ended.class, "job-control#/$defs/ended"),
        Map.entry(JobControl.Pause.class, "job-control#/$defs/pause"),
        Map.entry(JobControl.Resume.class, "job-control#/$defs/resume"),
        Map.entry(JobEvent.Paused.class, "job-event#/$defs/paused"),
        Map.entry(JobEvent.Resumed.class, "job-event#/$defs/resumed"),
        Map.entry(JobEvent.Prioritized.class, "job-event#/$defs/priority"),
        Map.entry(JobEvent.Timings.class, "job-event#/$defs/timings"),
        Map.entry(TileTask.class, "tile-task#"),
        Map.entry(TileTask.Work.Tile.class, "tile-task#/$defs/tile"),
        Map.entry(TileTask.Work.FrameTile.class, "tile-task#/$defs/frameTile"),
        Map.entry(TileTask.Work.PassTile.class, "tile-task#/$defs/passTile"),
        Map.entry(TileTask.Work.Pack.class, "tile-task#/$defs/pack"),
        Map.entry(TileRect.class, "tile-task#/$defs/tileRect"),
        Map.entry(TileResult.Done.class, "tile-result#/$defs/done"),
        Map.entry(TileResult.Failed.class, "tile-result#/$defs/failed"),
        Map.entry(TileResult.Progress.class, "tile-result#/$defs/progress"),
        Map.entry(TileResult.Returned.class, "tile-result#/$defs/returned"),
        Map.entry(DeadLetter.class, "dead-letter#"),
        Map.entry(DeadLetter.Stored.class, "dead-letter#/$defs/storedOrNull/oneOf/0"));
    defs.forEach((type, where) -> {
      String[] parts = where.split("#", 2);
      JsonNode def = read(schemaFile(parts[0])).at(parts[1]);
      Set<String> fields = Arrays.stream(type.getRecordComponents()).map(c -> c.getName())
          .collect(Collectors.toCollection(TreeSet::new));
      if (JobEvent.class.isAssignableFrom(type) || TileResult.class.isAssignableFrom(type)
          || JobControl.class.isAssignableFrom(type)) {
        fields.add("status");
      }
      if (type == TileTask.class) {
        fields.add("version");
      }
      if (TileTask.Work.class.isAssignableFrom(type)) {
        fields.add("kind");
      }
      Set<String> properties = new TreeSet<>();
      def.get("properties").fieldNames().forEachRemaining(properties::add);
      assertEquals(fields, properties, type.getName() + " vs " + where);
    });
  }

  private static List<String> subtypeNames(Class<?> type) {
    return Arrays.stream(type.getAnnotation(JsonSubTypes.class).value()).map(JsonSubTypes.Type::name)
        .collect(Collectors.toList());
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  // ---- the same verdicts at the boundaries ----

  /**
   * One edit of a valid job: set (or remove) the value at {@code at}; {@code field} is the field the farm
   * names in its rejection, or null if the edited job is valid.
   */
  private record Edit(String name, Supplier<ObjectNode> base, String at, Object value, String field) {}

  private static Edit ok(String name, Supplier<ObjectNode> base, String at, Object value) {
    return new Edit(name, base, at, value, null);
  }

  private static Edit bad(String name, Supplier<ObjectNode> base, String at, Object value, String field) {
    return new Edit(name, base, at, value, field);
  }

  static ObjectNode mandelbrot() {
    return (ObjectNode) json("{'id':'j','type':'render','width':64,'height':48,'renderer':'mandelbrot',"
        + "'scene':{'center':[0,0],'zoom':1,'iterations':10}}");
  }

  static ObjectNode builtin() {
    return (ObjectNode) json("{'id':'j','type':'render','width':64,'height':48,'renderer':'builtin','scene':{"
        + "'camera':{'position':[0,1,5],'lookAt':[0,1,0],'up':[0,1,0],'fov':40},'sky':[0,0,0],"
        + "'materials':{'white':{'type':'diffuse','color':[0.5,0.5,0.5]},'lamp':{'type':'emissive','color':[1,1,1],'strength':5}},"
        + "'objects':[{'type':'sphere','center':[0,1,0],'radius':1,'material':'white'},"
        + "{'type':'plane','point':[0,0,0],'normal':[0,1,0],'material':'lamp'}],'maxDepth':8}}");
  }

  /** A builtin job using every kind of scene field, read from the showcase example. */
  static ObjectNode showcase() {
    return (ObjectNode) read(ContractSchemas.folder().resolve("examples/job-request/render-builtin-showcase.json"));
  }

  static ObjectNode process() {
    return (ObjectNode) json("{'id':'j','type':'process','input':'s3://in-bucket/a.png',"
        + "'ops':[{'op':'grayscale'},{'op':'gaussian-blur','sigma':1}]}");
  }

  private static JsonNode json(String singleQuoted) {
    try {
      return ContractSchemas.PLAIN.readTree(singleQuoted.replace('\'', '"'));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }

  private static List<Edit> edits() {
    Supplier<ObjectNode> m = SchemaAgreementTest::mandelbrot;
    Supplier<ObjectNode> b = SchemaAgreementTest::builtin;
    Supplier<ObjectNode> p = SchemaAgreementTest::process;
    Supplier<ObjectNode> sc = SchemaAgreementTest::showcase;
    Supplier<ObjectNode> v = () -> (ObjectNode) json("{'id':'j','type':'video','input':'job:shot','video':{'fps':24}}");
    Supplier<ObjectNode> vf = () -> (ObjectNode) json("{'id':'j','type':'video','input':'s3://b-1/s/f-##.png',"
        + "'frames':{'start':1,'end':9},'video':{'format':'mov'}}");
    ArrayNode ops32 = NODES.arrayNode();
    for (int i = 0; i < 32; i++) {
      ops32.add(json("{'op':'grayscale'}"));
    }
    ArrayNode ops33 = ops32.deepCopy().add(json("{'op':'grayscale'}"));
    ObjectNode materials1000 = NODES.objectNode();
    for (int i = 0; i < 1000; i++) {
      materials1000.set(i == 0 ? "white" : i == 1 ? "lamp" : "m" + i, json("{'type':'diffuse','color':[0,0,0]}"));
    }
    ObjectNode materials1001 = materials1000.deepCopy().set("one-more", json("{'type':'diffuse','color':[0,0,0]}"));
    ArrayNode objects10000 = NODES.arrayNode();
    for (int i = 0; i < 10_000; i++) {
      objects10000.add(json("{'type':'sphere','center':[0,0,0],'radius':1,'material':'white'}"));
    }
    ArrayNode objects10001 = objects10000.deepCopy().add(json("{'type':'sphere','center':[0,0,0],'radius':1,'material':'white'}"));

    return List.of(
        ok("base mandelbrot", m, "/id", "j"),
        ok("base builtin", b, "/id", "j"),
        ok("base process", p, "/id", "j"),
        ok("base video job", v, "/id", "j"),
        ok("base video job of stored frames", vf, "/id", "j"),
        ok("video job output", v, "/output", "s3://b-1/v.MP4"),
        ok("video job mov output", vf, "/output", "s3://b-1/v.mov"),
        bad("video job output of another format", vf, "/output", "s3://b-1/v.mp4", "output"),
        bad("video job output an image", v, "/output", "s3://b-1/v.png", "output"),
        bad("video job without video", v, "/video", REMOVE, "video"),
        bad("video job fps 0", v, "/video/fps", 0, "video.fps"),
        bad("video job without input", v, "/input", REMOVE, "input"),
        bad("video job input without a frame number", vf, "/input", "s3://b-1/s/f.png", "input"),
        bad("video job of stored frames without frames", vf, "/frames", REMOVE, "frames"),
        bad("video job of a job with frames", v, "/frames", json("{'start':1,'end':2}"), "frames"),
        bad("video job with a tile size", v, "/tileSize", 64, "tileSize"),
        ok("no id", m, "/id", REMOVE),
        ok("id of 128 characters", m, "/id", "a".repeat(128)),
        bad("id of 129 characters", m, "/id", "a".repeat(129), "id"),
        bad("empty id", m, "/id", "", "id"),
        bad("id starting with a dash", m, "/id", "-a", "id"),
        bad("id with a slash", m, "/id", "a/b", "id"),
        bad("id with a non-ASCII letter", m, "/id", "caf\u00e9", "id"),
        bad("numeric id", m, "/id", 7, "id"),
        bad("type in capitals", m, "/type", "RENDER", "type"),
        bad("type not a string", m, "/type", 1, "type"),
        ok("width 1", m, "/width", 1),
        ok("width 65536", m, "/width", 65_536),
        ok("width as an integral float", m, "/width", 640.0),
        bad("width 0", m, "/width", 0, "width"),
        bad("width 65537", m, "/width", 65_537, "width"),
        bad("fractional width", m, "/width", 640.5, "width"),
        bad("width true", m, "/width", true, "width"),
        bad("no height", m, "/height", REMOVE, "height"),
        bad("no renderer", m, "/renderer", REMOVE, "renderer"),
        bad("renderer in capitals", m, "/renderer", "Mandelbrot", "renderer"),
        ok("samples 1", m, "/samples", 1),
        ok("samples 65536", m, "/samples", 65_536),
        bad("samples 0", m, "/samples", 0, "samples"),
        bad("samples 65537", m, "/samples", 65_537, "samples"),
        ok("seed -2^63", m, "/seed", Long.MIN_VALUE),
        ok("seed 2^63-1", m, "/seed", Long.MAX_VALUE),
        bad("seed 2^63", m, "/seed", BigInteger.ONE.shiftLeft(63), "seed"),
        bad("seed -2^63-1", m, "/seed", BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE), "seed"),
        bad("seed as a string", m, "/seed", "42", "seed"),
        ok("tileSize 8", m, "/tileSize", 8),
        ok("tileSize 4096", m, "/tileSize", 4096),
        bad("tileSize 7", m, "/tileSize", 7, "tileSize"),
        bad("tileSize 4097", m, "/tileSize", 4097, "tileSize"),
        ok("output .png", m, "/output", "s3://out-bucket/a/b.png"),
        ok("output .PNG", m, "/output", "s3://out-bucket/a/b.PNG"),
        ok("output .Jpg", m, "/output", "s3://out-bucket/b.Jpg"),
        ok("output .jpeg", m, "/output", "s3://out-bucket/b.jpeg"),
        bad("output .jpe", m, "/output", "s3://out-bucket/b.jpe", "output"),
        ok("output .tiff", m, "/output", "s3://out-bucket/b.tiff"),
        ok("output .TIF", m, "/output", "s3://out-bucket/b.TIF"),
        bad("mandelbrot output .exr", m, "/output", "s3://out-bucket/b.exr", "output"),
        bad("render output .webp", b, "/output", "s3://out-bucket/b.webp", "output"),
        ok("builtin output .exr", b, "/output", "s3://out-bucket/b.exr"),
        ok("builtin output .EXR", b, "/output", "s3://out-bucket/b.EXR"),
        ok("builtin bitDepth 16", b, "/bitDepth", 16),
        ok("builtin bitDepth 8", b, "/bitDepth", 8),
        bad("builtin bitDepth 12", b, "/bitDepth", 12, "bitDepth"),
        bad("builtin bitDepth as a string", b, "/bitDepth", "16", "bitDepth"),
        bad("mandelbrot bitDepth 16", m, "/bitDepth", 16, "bitDepth"),
        ok("mandelbrot bitDepth 8", m, "/bitDepth", 8),
        ok("builtin bitDepth 16 to .tif", () -> builtin().put("output", "s3://out-bucket/b.tif"), "/bitDepth", 16),
        bad("builtin bitDepth 16 to .jpg", () -> builtin().put("output", "s3://out-bucket/b.jpg"), "/bitDepth", 16,
            "bitDepth"),
        bad("bitDepth with an .exr output", () -> builtin().put("output", "s3://out-bucket/b.exr"), "/bitDepth", 16,
            "bitDepth"),
        ok("process output .webp", p, "/output", "s3://out-bucket/b.webp"),
        ok("process output .tif", p, "/output", "s3://out-bucket/b.tif"),
        bad("process output .exr", p, "/output", "s3://out-bucket/b.exr", "output"),
        bad("process bitDepth", p, "/bitDepth", 16, "bitDepth"),
        bad("output without extension", m, "/output", "s3://out-bucket/b", "output"),
        bad("output extension on a folder", m, "/output", "s3://out-bucket/b.png/c", "output"),
        bad("output not a string", m, "/output", 5, "output"),
        bad("render job with input", m, "/input", "s3://in-bucket/a.png", "input"),
        ok("mandelbrot without scene", m, "/scene", REMOVE),
        ok("mandelbrot with empty scene", m, "/scene", NODES.objectNode()),
        bad("mandelbrot scene as an array", m, "/scene", NODES.arrayNode(), "scene"),
        ok("center at the corner", m, "/scene/center", NODES.arrayNode().add(4).add(-4)),
        bad("center past the corner", m, "/scene/center", NODES.arrayNode().add(4.001).add(0), "scene.center[0]"),
        bad("center of one number", m, "/scene/center", NODES.arrayNode().add(0), "scene.center"),
        bad("center holding a string", m, "/scene/center", NODES.arrayNode().add(0).add("0"), "scene.center[1]"),
        ok("zoom 0.001", m, "/scene/zoom", 0.001),
        ok("zoom 1e13", m, "/scene/zoom", 1e13),
        bad("zoom 0.0009", m, "/scene/zoom", 0.0009, "scene.zoom"),
        bad("zoom 1.1e13", m, "/scene/zoom", 1.1e13, "scene.zoom"),
        ok("iterations 1000000", m, "/scene/iterations", 1_000_000),
        bad("iterations 0", m, "/scene/iterations", 0, "scene.iterations"),
        bad("iterations 1000001", m, "/scene/iterations", 1_000_001, "scene.iterations"),
        bad("builtin scene as a string", b, "/scene", "cornell", "scene"),
        bad("no camera", b, "/scene/camera", REMOVE, "scene.camera"),
        bad("camera without position", b, "/scene/camera/position", REMOVE, "scene.camera.position"),
        ok("camera without up and fov", b, "/scene/camera", json("{'position':[0,1,5],'lookAt':[0,1,0]}")),
        ok("position at 1e6", b, "/scene/camera/position", json("[1000000,1,5]")),
        bad("position past 1e6", b, "/scene/camera/position", json("[1000001,1,5]"), "scene.camera.position[0]"),
        ok("fov 1", b, "/scene/camera/fov", 1),
        ok("fov 170", b, "/scene/camera/fov", 170),
        bad("fov 0.5", b, "/scene/camera/fov", 0.5, "scene.camera.fov"),
        bad("camera with zoom", b, "/scene/camera/zoom", 2, "scene.camera.zoom"),
        ok("sky at 1e6", b, "/scene/sky", json("[1000000,0,0]")),
        bad("negative sky", b, "/scene/sky", json("[-0.1,0,0]"), "scene.sky[0]"),
        bad("sky of four numbers", b, "/scene/sky", json("[0,0,0,1]"), "scene.sky"),
        bad("no materials", b, "/scene/materials", NODES.objectNode(), "scene.materials"),
        bad("materials as an array", b, "/scene/materials", NODES.arrayNode(), "scene.materials"),
        ok("1000 materials", b, "/scene/materials", materials1000),
        bad("1001 materials", b, "/scene/materials", materials1001, "scene.materials"),
        bad("material as a string", b, "/scene/materials/white", "diffuse", "scene.materials.white"),
        bad("material without type", b, "/scene/materials/white/type", REMOVE, "scene.materials.white.type"),
        bad("diffuse without color", b, "/scene/materials/white/color", REMOVE, "scene.materials.white.color"),
        ok("diffuse color 1", b, "/scene/materials/white/color", json("[1,1,1]")),
        bad("diffuse color 1.001", b, "/scene/materials/white/color", json("[1,1.001,1]"), "scene.materials.white.color[1]"),
        bad("diffuse with strength", b, "/scene/materials/white/strength", 1, "scene.materials.white.strength"),
        ok("emissive color 1e6", b, "/scene/materials/lamp/color", json("[1000000,0,0]")),
        ok("emissive strength 0", b, "/scene/materials/lamp/strength", 0),
        ok("emissive without strength", b, "/scene/materials/lamp/strength", REMOVE),
        bad("negative strength", b, "/scene/materials/lamp/strength", -1, "scene.materials.lamp.strength"),
        bad("negative emission", b, "/scene/materials/lamp/color", json("[-1,0,0]"), "scene.materials.lamp.color[0]"),
        bad("objects as an object", b, "/scene/objects", NODES.objectNode(), "scene.objects"),
        bad("object as a number", b, "/scene/objects/0", 1, "scene.objects[0]"),
        ok("10000 objects", b, "/scene/objects", objects10000),
        bad("10001 objects", b, "/scene/objects", objects10001, "scene.objects"),
        ok("radius 0.000001", b, "/scene/objects/0/radius", 0.000001),
        ok("radius 1e6", b, "/scene/objects/0/radius", 1e6),
        bad("radius 0.0000009", b, "/scene/objects/0/radius", 0.0000009, "scene.objects[0].radius"),
        bad("negative radius", b, "/scene/objects/0/radius", -1, "scene.objects[0].radius"),
        bad("sphere without material", b, "/scene/objects/0/material", REMOVE, "scene.objects[0].material"),
        bad("material name not a string", b, "/scene/objects/0/material", 1, "scene.objects[0].material"),
        bad("sphere with a normal", b, "/scene/objects/0/normal", json("[0,1,0]"), "scene.objects[0].normal"),
        bad("plane without normal", b, "/scene/objects/1/normal", REMOVE, "scene.objects[1].normal"),
        bad("plane with radius", b, "/scene/objects/1/radius", 1, "scene.objects[1].radius"),
        ok("maxDepth 1", b, "/scene/maxDepth", 1),
        ok("maxDepth 64", b, "/scene/maxDepth", 64),
        bad("maxDepth 0", b, "/scene/maxDepth", 0, "scene.maxDepth"),
        bad("maxDepth 65", b, "/scene/maxDepth", 65, "scene.maxDepth"),
        ok("base showcase", sc, "/id", "s"),
        ok("stored scene zip", b, "/scene", "s3://scenes/a/b.zip"),
        ok("stored scene GLB in capitals", b, "/scene", "s3://scenes/a/b.GLB"),
        bad("stored scene without extension", b, "/scene", "s3://scenes/a/b", "scene"),
        bad("stored scene not s3", b, "/scene", "https://example.com/b.gltf", "scene"),
        ok("aperture 0", sc, "/scene/camera/aperture", 0),
        bad("negative aperture", sc, "/scene/camera/aperture", -0.1, "scene.camera.aperture"),
        bad("focusDistance 0", sc, "/scene/camera/focusDistance", 0, "scene.camera.focusDistance"),
        ok("scene imports glTF without camera", sc, "/scene/camera", REMOVE),
        bad("assets that are neither folder nor archive", sc, "/scene/assets", "s3://scenes/set.json", "scene.assets"),
        ok("assets tar archive", sc, "/scene/assets", "s3://scenes/set.tar"),
        ok("roughness 1", sc, "/scene/materials/gold/roughness", 1),
        bad("roughness 1.01", sc, "/scene/materials/gold/roughness", 1.01, "scene.materials.gold.roughness"),
        ok("ior 1", sc, "/scene/materials/glass/ior", 1),
        ok("ior 3", sc, "/scene/materials/glass/ior", 3),
        bad("ior 0.99", sc, "/scene/materials/glass/ior", 0.99, "scene.materials.glass.ior"),
        bad("ior 3.01", sc, "/scene/materials/glass/ior", 3.01, "scene.materials.glass.ior"),
        bad("conductor without color", sc, "/scene/materials/gold/color", REMOVE, "scene.materials.gold.color"),
        bad("pbr metallic 2", sc, "/scene/materials/table/metallic", 2, "scene.materials.table.metallic"),
        bad("pbr with a typo", sc, "/scene/materials/table/metalic", 0.5, "scene.materials.table.metalic"),
        bad("texture of unknown type", sc, "/scene/textures/tiles/type", "noise", "scene.textures.tiles.type"),
        bad("image texture without file", sc, "/scene/textures/wood/file", REMOVE, "scene.textures.wood.file"),
        bad("image texture of a GIF", sc, "/scene/textures/wood/file", "textures/wood.gif", "scene.textures.wood.file"),
        bad("colorSpace in capitals", sc, "/scene/textures/wood/colorSpace", "SRGB", "scene.textures.wood.colorSpace"),
        ok("environment from a data URI", sc, "/scene/environment/file", "data:image/vnd.radiance;base64,AAAA"),
        bad("environment as EXR", sc, "/scene/environment/file", "sky.exr", "scene.environment.file"),
        ok("environment rotation 360", sc, "/scene/environment/rotation", 360),
        bad("environment rotation 361", sc, "/scene/environment/rotation", 361, "scene.environment.rotation"),
        bad("rotate 361", sc, "/scene/objects/1/transform/rotate", json("[0,361,0]"), "scene.objects[1].transform.rotate[1]"),
        bad("transform with matrix", sc, "/scene/objects/1/transform/matrix", json("[1]"), "scene.objects[1].transform.matrix"),
        bad("mesh index -1", sc, "/scene/objects/5/indices", json("[0,1,-1]"), "scene.objects[5].indices[2]"),
        bad("inline mesh without material", sc, "/scene/objects/5/material", REMOVE, "scene.objects[5].material"),
        ok("OBJ mesh without material", sc, "/scene/objects/4/material", REMOVE),
        bad("quad without edge2", sc, "/scene/objects/6/edge2", REMOVE, "scene.objects[6].edge2"),
        bad("gltf with a material", sc, "/scene/objects/7/material", "gold", "scene.objects[7].material"),
        ok("spot angle 90", sc, "/scene/lights/0/angle", 90),
        bad("spot angle 90.1", sc, "/scene/lights/0/angle", 90.1, "scene.lights[0].angle"),
        bad("point light without position", sc, "/scene/lights/1/position", REMOVE, "scene.lights[1].position"),
        bad("light of unknown type", sc, "/scene/lights/2/type", "area", "scene.lights[2].type"),
        bad("negative intensity", sc, "/scene/lights/1/intensity", -1, "scene.lights[1].intensity"),
        ok("encoding srgb8", sc, "/scene/encoding", "srgb8"),
        bad("exposure 0", sc, "/scene/exposure", 0, "scene.exposure"),
        bad("process job with samples", p, "/samples", 4, "samples"),
        bad("process job with scene", p, "/scene", NODES.objectNode(), "scene"),
        bad("no input", p, "/input", REMOVE, "input"),
        bad("input not an s3 URI", p, "/input", "https://in-bucket/a.png", "input"),
        ok("input of any extension", p, "/input", "s3://in-bucket/a.tiff"),
        bad("no ops", p, "/ops", REMOVE, "ops"),
        bad("ops as an object", p, "/ops", NODES.objectNode(), "ops"),
        ok("32 ops", p, "/ops", ops32),
        bad("33 ops", p, "/ops", ops33, "ops"),
        bad("op as a string", p, "/ops/0", "grayscale", "ops[0]"),
        bad("op without name", p, "/ops/0/op", REMOVE, "ops[0].op"),
        bad("op name not a string", p, "/ops/0/op", 3, "ops[0].op"),
        bad("op name in capitals", p, "/ops/0/op", "Grayscale", "ops[0].op"),
        ok("sigma 0.1", p, "/ops/1/sigma", 0.1),
        ok("sigma 64", p, "/ops/1/sigma", 64),
        bad("sigma 0.09", p, "/ops/1/sigma", 0.09, "ops[1].sigma"),
        bad("sigma 64.01", p, "/ops/1/sigma", 64.01, "ops[1].sigma"),
        bad("sigma as a string", p, "/ops/1/sigma", "2", "ops[1].sigma"),
        bad("blur with radius", p, "/ops/1/radius", 2, "ops[1].radius"));
  }

  /** A process job whose only op is {@code singleQuotedOp}. */
  private static Supplier<ObjectNode> withOp(String singleQuotedOp) {
    return () -> {
      ObjectNode job = process();
      job.set("ops", NODES.arrayNode().add(json(singleQuotedOp)));
      return job;
    };
  }

  /** Every op of the catalog at its parameters' boundaries, on both sides, and with a parameter it does not take. */
  private static List<Edit> opEdits() {
    List<Edit> out = new java.util.ArrayList<>();
    // Every op with its defaults (or its required parameters) is valid, and refuses a parameter it does not take.
    java.util.Map<String, String> minimal = new java.util.LinkedHashMap<>();
    for (String name : Ops.names()) {
      minimal.put(name, "{'op':'" + name + "'}");
    }
    minimal.put("gaussian-blur", "{'op':'gaussian-blur','sigma':1}");
    minimal.put("canny", "{'op':'canny','low':0,'high':150}");
    minimal.put("sobel", "{'op':'sobel','dx':1,'dy':1}");
    minimal.put("convert-color", "{'op':'convert-color','to':'hsv'}");
    minimal.put("gamma", "{'op':'gamma','gamma':2.2}");
    minimal.put("threshold", "{'op':'threshold','value':128}");
    minimal.put("color-map", "{'op':'color-map','map':'viridis'}");
    minimal.put("resize", "{'op':'resize','factor':0.5}");
    minimal.put("flip", "{'op':'flip','axis':'horizontal'}");
    minimal.put("rotate", "{'op':'rotate','degrees':90}");
    minimal.put("crop", "{'op':'crop','x':0,'y':0,'width':10,'height':10}");
    minimal.forEach((name, op) -> {
      out.add(ok(name + " minimal", withOp(op), "/id", "j"));
      out.add(bad(name + " with an unknown parameter", withOp(op), "/ops/0/colour", 1, "ops[0].colour"));
    });
    String[][] odd = {{"box-blur", "3", "255"}, {"median-blur", "3", "255"}, {"adaptive-threshold", "3", "255"},
        {"erode", "1", "51"}, {"dilate", "1", "51"}, {"open", "1", "51"}, {"close", "1", "51"}, {"gradient", "1", "51"}};
    for (String[] o : odd) {
      Supplier<ObjectNode> b = withOp(minimal.get(o[0]));
      int min = Integer.parseInt(o[1]);
      int max = Integer.parseInt(o[2]);
      out.add(ok(o[0] + " size " + min, b, "/ops/0/size", min));
      out.add(ok(o[0] + " size " + max, b, "/ops/0/size", max));
      out.add(bad(o[0] + " size " + (min - 2), b, "/ops/0/size", min - 2, "ops[0].size"));
      out.add(bad(o[0] + " size " + (max + 2), b, "/ops/0/size", max + 2, "ops[0].size"));
      out.add(bad(o[0] + " even size", b, "/ops/0/size", min + 1, "ops[0].size"));
    }
    Object[][] ranges = {
        {"bilateral", "diameter", 1, 31}, {"bilateral", "sigmaColor", 0.1, 1000}, {"bilateral", "sigmaSpace", 0.1, 1000},
        {"sharpen", "amount", 0.01, 10}, {"unsharp", "sigma", 0.1, 64}, {"unsharp", "amount", 0.01, 10},
        {"sobel", "dx", 0, 2}, {"sobel", "dy", 0, 2}, {"canny", "high", 0, 100000},
        {"erode", "iterations", 1, 16}, {"brightness-contrast", "contrast", 0, 10},
        {"brightness-contrast", "brightness", -255, 255}, {"gamma", "gamma", 0.05, 20}, {"threshold", "value", 0, 255},
        {"threshold", "max", 0, 255}, {"adaptive-threshold", "c", -255, 255}, {"adaptive-threshold", "max", 0, 255},
        {"otsu-threshold", "max", 0, 255}, {"normalize", "min", 0, 255}, {"normalize", "max", 0, 255},
        {"clahe", "clip", 0, 1000}, {"clahe", "grid", 1, 64}, {"resize", "factor", 0.01, 16},
        {"crop", "x", 0, 65535}, {"crop", "width", 1, 65536}, {"dominant-colors", "count", 1, 64},
        {"detect-faces", "scaleFactor", 1.01, 2}, {"detect-faces", "minNeighbors", 0, 32},
        {"detect-faces", "minSize", 8, 4096}};
    for (Object[] r : ranges) {
      String op = (String) r[0];
      String param = (String) r[1];
      Supplier<ObjectNode> b = withOp(minimal.get(op));
      boolean integral = r[2] instanceof Integer && r[3] instanceof Integer && !param.equals("brightness")
          && !param.equals("c") && !param.equals("contrast") && !param.equals("high") && !param.equals("clip");
      double step = integral ? 1 : 0.001;
      Number below = integral ? (Number) ((Integer) r[2] - 1) : (Number) (((Number) r[2]).doubleValue() - step);
      Number above = integral ? (Number) ((Integer) r[3] + 1) : (Number) (((Number) r[3]).doubleValue() + step);
      String at = "/ops/0/" + param;
      out.add(ok(op + " " + param + " " + r[2], b, at, r[2]));
      out.add(ok(op + " " + param + " " + r[3], b, at, r[3]));
      out.add(bad(op + " " + param + " " + below, b, at, below, "ops[0]." + param));
      out.add(bad(op + " " + param + " " + above, b, at, above, "ops[0]." + param));
      out.add(bad(op + " " + param + " as a string", b, at, "1", "ops[0]." + param));
    }
    Object[][] choices = {{"sobel", "size", 7, 4}, {"laplacian", "size", 1, 2}, {"canny", "aperture", 5, 4},
        {"erode", "shape", "ellipse", "disc"}, {"convert-color", "to", "lab", "cmyk"},
        {"threshold", "type", "tozero-inv", "otsu"}, {"adaptive-threshold", "method", "gaussian", "median"},
        {"color-map", "map", "turbo", "gray"}, {"otsu-threshold", "type", "binary-inv", "trunc"},
        {"resize", "interpolation", "nearest", "cubic"}, {"flip", "axis", "both", "diagonal"},
        {"rotate", "degrees", 270, 45}, {"histogram", "bins", 16, 10}, {"dominant-colors", "levels", 4, 3},
        {"detect-faces", "cascade", "profileface", "eyes"}};
    for (Object[] c : choices) {
      Supplier<ObjectNode> b = withOp(minimal.get((String) c[0]));
      String at = "/ops/0/" + c[1];
      out.add(ok(c[0] + " " + c[1] + " " + c[2], b, at, c[2]));
      out.add(bad(c[0] + " " + c[1] + " " + c[3], b, at, c[3], "ops[0]." + c[1]));
    }
    out.add(bad("canny without high", withOp("{'op':'canny','low':50}"), "/id", "j", "ops[0].high"));
    out.add(bad("canny l2 as a number", withOp(minimal.get("canny")), "/ops/0/l2", 1, "ops[0].l2"));
    out.add(ok("canny l2", withOp(minimal.get("canny")), "/ops/0/l2", true));
    out.add(ok("scharr in y", withOp("{'op':'scharr','dx':0,'dy':1}"), "/id", "j"));
    out.add(ok("resize to a size", withOp("{'op':'resize','width':10,'height':20}"), "/id", "j"));
    out.add(bad("resize with width only", withOp("{'op':'resize','width':10}"), "/id", "j", "ops[0].height"));
    out.add(bad("crop without height", withOp("{'op':'crop','x':0,'y':0,'width':5}"), "/id", "j", "ops[0].height"));
    return out;
  }

  @TestFactory
  Stream<DynamicTest> theSchemaAndTheDecoderAgreeOnEveryOp() {
    return opEdits().stream().map(edit -> dynamicTest(edit.name(), () -> check(edit)));
  }

  @TestFactory
  Stream<DynamicTest> theSchemaAndTheDecoderGiveTheSameVerdict() {
    return edits().stream().map(edit -> dynamicTest(edit.name(), () -> check(edit)));
  }

  private static void check(Edit edit) {
    {
      ObjectNode job = apply(edit);
      Set<ValidationMessage> errors = validate("job-request", job);
      if (edit.field() == null) {
        assertTrue(errors.isEmpty(), "the schema refuses it:" + describe(errors));
        JobCodec.decode(job, "fallback");
      } else {
        assertTrue(errors.stream().anyMatch(e -> pointer(e).equals(pointer(edit.field()))),
            "no schema error at " + pointer(edit.field()) + ":" + describe(errors));
        InvalidJobException e = assertThrows(InvalidJobException.class, () -> JobCodec.decode(job, "fallback"));
        assertEquals(edit.field(), e.field(), e.getMessage());
      }
    }
  }

  private static ObjectNode apply(Edit edit) {
    ObjectNode job = edit.base().get();
    int slash = edit.at().lastIndexOf('/');
    JsonNode parent = job.at(edit.at().substring(0, slash));
    String last = edit.at().substring(slash + 1);
    JsonNode value = edit.value() == REMOVE ? null : ContractSchemas.PLAIN.valueToTree(edit.value());
    if (parent instanceof ObjectNode o) {
      if (value == null) {
        o.remove(last);
      } else {
        o.set(last, value);
      }
    } else if (parent instanceof ArrayNode a) {
      a.set(Integer.parseInt(last), value);
    } else {
      throw new IllegalArgumentException("no container at " + edit.at());
    }
    return job;
  }

  // ---- the same URIs and ids ----

  private static final List<String> URIS = List.of(
      "s3://bucket/key", "s3://abc/k", "s3://" + "b".repeat(63) + "/k", "s3://" + "b".repeat(64) + "/k",
      "s3://ab/k", "s3://Bucket/k", "s3://-abc/k", "s3://abc-/k", "s3://.abc/k", "s3://a.b-c/k", "s3://my_bucket/k",
      "s3://bucket", "s3://bucket/", "s3:///key", "S3://bucket/key", "https://bucket/key", "s3:/bucket/key",
      "s3://bucket//key", "s3://bucket/a//b", "s3://bucket/a/", "s3://bucket/./a", "s3://bucket/a/.", "s3://bucket/a/./b",
      "s3://bucket/a/../b", "s3://bucket/..", "s3://bucket/../a", "s3://bucket/a/..", "s3://bucket/...",
      "s3://bucket/.hidden", "s3://bucket/a..b", "s3://bucket/a\\b", "s3://bucket/a\tb", "s3://bucket/a\u007fb",
      "s3://bucket/a\u0000b", "s3://bucket/\u00e4/\u00f6.png", "s3://bucket/a b.png", "s3://bucket/a?x=1#y",
      "s3://bucket/" + "k".repeat(1024), "s3://bucket/" + "k".repeat(1025), "s3://bucket/a/" + "k".repeat(1022),
      "s3://bucket/x.png", "s3://bucket/x.PNG", "s3://bucket/x.jpg", "s3://bucket/x.JPEG", "s3://bucket/x.jpe",
      "s3://bucket/x.gif", "s3://bucket/x", "s3://bucket/x.png/", "s3://bucket/x.png/y", "s3://bucket/.png",
      "s3://bucket/x.", "s3://bucket/x.pngx");

  @TestFactory
  Stream<DynamicTest> theS3UriPatternAgreesWithS3UriParse() {
    return URIS.stream().map(uri -> dynamicTest(printable(uri), () -> {
      boolean parses = parses(uri);
      assertEquals(parses, ContractSchemas.def("job-request", "s3Uri").validate(NODES.textNode(uri)).isEmpty(),
          "s3Uri; S3Uri.parse " + (parses ? "accepts it" : "refuses it"));
      boolean image = parses && imageFormat(S3Uri.parse(uri).extension());
      assertEquals(image, ContractSchemas.def("job-request", "imageUri").validate(NODES.textNode(uri)).isEmpty(),
          "imageUri; the decoder " + (image ? "accepts it" : "refuses it") + " as an output");
    }));
  }

  private static boolean parses(String uri) {
    try {
      S3Uri.parse(uri);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean imageFormat(String extension) {
    try {
      ImageFormat.forExtension(extension);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Test
  void theIdPatternAgreesWithJobRequestId() {
    Set<String> ids = new LinkedHashSet<>(List.of("a", "A", "0", "job-1", "a.b_c-d", "x".repeat(128), "x".repeat(129),
        "", "-a", ".a", "_a", "a/b", "a b", "a:b", "caf\u00e9", "a\u0000", "job\u00a0"));
    for (String id : ids) {
      assertEquals(JobRequest.ID.matcher(id).matches(),
          ContractSchemas.def("job-request", "jobId").validate(NODES.textNode(id)).isEmpty(), printable(id));
    }
  }

  private static String printable(String s) {
    String shown = s.length() > 60 ? s.substring(0, 40) + "...(" + s.length() + " chars)" : s;
    return shown.chars().mapToObj(c -> c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c))
        .collect(Collectors.joining());
  }

  // ---- where they cannot agree ----

  /**
   * The decoder reads an explicit null as an absent field, so {@code "tileSize": null} means the default and
   * {@code "width": null} is "is required". The schema does not offer null: a client that validates never
   * sends one.
   */
  @Test
  void theDecoderTakesNullForAbsentWhichTheSchemaDoesNotOffer() {
    ObjectNode job = mandelbrot();
    job.putNull("tileSize");
    job.putNull("output");
    job.putNull("scene");
    assertFalse(validate("job-request", job).isEmpty());
    JobRequest.Render render = (JobRequest.Render) JobCodec.decode(job, "fallback");
    assertEquals(0, render.tileSize());
    assertEquals(new SceneSpec.Mandelbrot(-0.5, 0, 1, 256), render.scene());
  }

  /**
   * JSON Schema counts 1.0 as an integer (draft 2020-12 judges the value, not its spelling). The decoder
   * agrees for the int fields (width 640.0 is 640) but not for seed, which must be written without a
   * fraction: a client that validates can still be rejected for {@code "seed": 1.0}.
   */
  @Test
  void anIntegralFloatSeedPassesTheSchemaButNotTheDecoder() {
    ObjectNode job = mandelbrot().put("seed", 1.0);
    assertTrue(validate("job-request", job).isEmpty());
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> JobCodec.decode(job, "fallback"));
    assertEquals("seed", e.field());
  }

  /** The key limit is 1024 UTF-8 bytes; a pattern counts characters, so multi-byte keys can pass the schema. */
  @Test
  void aKeyOverTheByteLimitInFewerCharactersPassesTheSchemaOnly() {
    String uri = "s3://bucket/" + "\u00e9".repeat(1000) + ".png";
    assertTrue(ContractSchemas.def("job-request", "imageUri").validate(NODES.textNode(uri)).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> S3Uri.parse(uri));
  }
}
