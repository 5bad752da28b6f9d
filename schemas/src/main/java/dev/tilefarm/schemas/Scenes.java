package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Parses the {@code "scene"} of a render job, strictly, for the renderer that will draw it. */
final class Scenes {
  static final int MAX_OBJECTS = 10_000;
  static final int MAX_MATERIALS = 1_000;
  static final int MAX_TEXTURES = 1_000;
  static final int MAX_LIGHTS = 1_000;
  /** Numbers in an inline mesh's arrays; the 512 KiB job limit bites well before this. */
  static final int MAX_MESH_NUMBERS = 1_000_000;
  static final int MAX_FILE_REFERENCE = 1024;
  /** The kinds of scene file a stored scene may be, by extension. */
  static final List<String> STORED_EXTENSIONS = List.of("json", "gltf", "glb", "obj", "zip", "tar");
  private static final double BIG = 1e6;

  private Scenes() {}

  static SceneSpec parse(Renderer renderer, JsonNode scene) {
    return switch (renderer) {
      case MANDELBROT -> mandelbrot(scene);
      case BUILTIN -> scene != null && scene.isTextual() ? stored(scene.asText()) : builtin(scene, false);
      case POVRAY -> povray(scene);
      case BLENDER -> blender(scene);
      case SLEEP -> sleep(scene);
      case FFMPEG -> throw new InvalidJobException(null, "renderer", "ffmpeg encodes videos and draws no scene");
    };
  }

  /** The benchmarks' renderer: {@code {"millisPerTile": N}}, required, so that a job says what it simulates. */
  private static SceneSpec.Sleep sleep(JsonNode scene) {
    if (scene == null) {
      throw new InvalidJobException(null, "scene", "is required for the sleep renderer: {\"millisPerTile\": N}, the "
          + "wall time each tile takes (0 to " + SceneSpec.Sleep.MAX_MILLIS + ")");
    }
    Fields f = Fields.of(scene, "scene");
    int millis = f.integer("millisPerTile", 0, SceneSpec.Sleep.MAX_MILLIS);
    f.done();
    return new SceneSpec.Sleep(millis);
  }

  static SceneSpec.Builtin builtinFile(byte[] json) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidJobException(null, "scene", "is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidJobException(null, "scene", "is not valid JSON: " + e.getMessage());
    }
    return builtin(node, true);
  }

  private static SceneSpec.Mandelbrot mandelbrot(JsonNode scene) {
    if (scene == null) {
      return new SceneSpec.Mandelbrot(-0.5, 0, 1, 256);
    }
    Fields f = Fields.of(scene, "scene");
    double[] center = f.vector("center", 2, -4, 4, new double[] {-0.5, 0});
    double zoom = f.number("zoom", 1e-3, 1e13, 1);
    int iterations = f.integer("iterations", 1, 1_000_000, 256);
    f.done();
    return new SceneSpec.Mandelbrot(center[0], center[1], zoom, iterations);
  }

  private static SceneSpec.Stored stored(String text) {
    S3Uri uri;
    try {
      uri = S3Uri.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(null, "scene", "must be a scene object or the s3:// URI of a scene file: "
          + e.getMessage());
    }
    if (!STORED_EXTENSIONS.contains(uri.extension().toLowerCase(Locale.ROOT))) {
      throw new InvalidJobException(null, "scene", "'" + uri + "' is not a scene file (valid extensions: "
          + String.join(", ", STORED_EXTENSIONS) + ")");
    }
    return new SceneSpec.Stored(uri);
  }

  /** Archives that may carry an external renderer's scene with its files. */
  static final List<String> ARCHIVE_EXTENSIONS = List.of("zip", "tar");
  /** Longest name of a scene's main file, Blender scene or camera. */
  static final int MAX_NAME = 1024;

  /** A POV-Ray scene: an s3:// URI of a .pov file or archive, or an object with it and the allow-listed options. */
  private static SceneSpec.PovRay povray(JsonNode scene) {
    if (scene != null && scene.isTextual()) {
      return new SceneSpec.PovRay(externalFile(scene.asText(), "scene", "pov"), null, 0.3, 3, false, 9, 0, 1);
    }
    if (scene == null) {
      throw new InvalidJobException(null, "scene", "is required for the povray renderer: the s3:// URI of a .pov file "
          + "or a .zip/.tar archive, or an object with it in \"file\"");
    }
    Fields f = Fields.of(scene, "scene");
    for (String name : List.of("file", "main", "antialias", "antialiasDepth", "jitter", "quality", "clock",
        "frameRange", "cyclic", "declare")) {
      f.has(name);
    }
    S3Uri file = externalFile(f.string("file"), "scene.file", "pov");
    String main = mainFile(f, file, "pov");
    double antialias = f.number("antialias", 0, 3, 0.3);
    int depth = f.integer("antialiasDepth", 1, 9, 3);
    boolean jitter = f.bool("jitter", false);
    int quality = f.integer("quality", 0, 11, 9);
    double[] clock = f.vector("clock", 2, -BIG, BIG, new double[] {0, 1});
    int[] frameRange = null;
    if (f.has("frameRange")) {
      double[] r = f.vector("frameRange", 2, JobRequest.Frames.MIN_FRAME, JobRequest.Frames.MAX_FRAME, null);
      if (r[0] != Math.rint(r[0]) || r[1] != Math.rint(r[1]) || r[1] < r[0]) {
        throw f.error("frameRange", "must be [initial, final]: two whole frame numbers, final not below initial");
      }
      frameRange = new int[] {(int) r[0], (int) r[1]};
    }
    boolean cyclic = f.bool("cyclic", false);
    java.util.Map<String, Double> declare = declarations(f);
    f.done();
    return new SceneSpec.PovRay(file, main, antialias, depth, jitter, quality, clock[0], clock[1], frameRange, cyclic,
        declare);
  }

  /** Most {@code declare} entries of a POV-Ray scene. */
  static final int MAX_DECLARE = 64;

  /** POV-Ray's {@code Declare=NAME=VALUE}: float identifiers, checked here since they reach its command line. */
  private static java.util.Map<String, Double> declarations(Fields f) {
    JsonNode d = f.raw("declare");
    if (d == null) {
      return java.util.Map.of();
    }
    if (!d.isObject() || d.size() > MAX_DECLARE) {
      throw f.error("declare", "must be an object of at most " + MAX_DECLARE + " identifiers and their numbers");
    }
    java.util.Map<String, Double> out = new java.util.TreeMap<>();
    for (var it = d.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]{0,39}")) {
        throw f.error("declare." + e.getKey(), "is not a POV-Ray identifier (a letter or '_', then letters, digits, "
            + "'_'; at most 40)");
      }
      JsonNode v = e.getValue();
      if (!v.isNumber() || !Double.isFinite(v.asDouble()) || Math.abs(v.asDouble()) > BIG) {
        throw f.error("declare." + e.getKey(), "must be a number from " + -BIG + " to " + BIG);
      }
      out.put(e.getKey(), v.asDouble());
    }
    return out;
  }

  /** A Blender scene: an s3:// URI of a .blend file or archive, or an object with it and the allow-listed options. */
  private static SceneSpec.Blender blender(JsonNode scene) {
    if (scene != null && scene.isTextual()) {
      return new SceneSpec.Blender(externalFile(scene.asText(), "scene", "blend"), null, null, null);
    }
    if (scene == null) {
      throw new InvalidJobException(null, "scene", "is required for the blender renderer: the s3:// URI of a .blend "
          + "file or a .zip/.tar archive, or an object with it in \"file\"");
    }
    Fields f = Fields.of(scene, "scene");
    for (String name : List.of("file", "main", "scene", "camera")) {
      f.has(name);
    }
    S3Uri file = externalFile(f.string("file"), "scene.file", "blend");
    String main = mainFile(f, file, "blend");
    String name = f.has("scene") ? name(f, "scene") : null;
    String camera = f.has("camera") ? name(f, "camera") : null;
    f.done();
    return new SceneSpec.Blender(file, main, name, camera);
  }

  private static S3Uri externalFile(String text, String field, String extension) {
    S3Uri uri;
    try {
      uri = S3Uri.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(null, field, "must be the s3:// URI of a ." + extension + " file or a .zip/.tar "
          + "archive: " + e.getMessage());
    }
    String ext = uri.extension().toLowerCase(Locale.ROOT);
    if (!ext.equals(extension) && !ARCHIVE_EXTENSIONS.contains(ext)) {
      throw new InvalidJobException(null, field, "'" + uri + "' is not a ." + extension + " file or a .zip/.tar "
          + "archive");
    }
    return uri;
  }

  /** The archive's file to render, a relative path that stays inside the archive; only an archive has one. */
  private static String mainFile(Fields f, S3Uri file, String extension) {
    if (!f.has("main")) {
      return null;
    }
    String main = name(f, "main");
    if (!ARCHIVE_EXTENSIONS.contains(file.extension().toLowerCase(Locale.ROOT))) {
      throw f.error("main", "is only for an archive; '" + file + "' is the scene file itself");
    }
    if (!main.toLowerCase(Locale.ROOT).endsWith("." + extension)) {
      throw f.error("main", "'" + main + "' is not a ." + extension + " file");
    }
    if (main.startsWith("/") || main.contains("\\") || List.of(main.split("/", -1)).stream()
        .anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
      throw f.error("main", "'" + main + "' must be a relative path inside the archive (no '..', '.', empty "
          + "segments, leading '/' or backslashes)");
    }
    return main;
  }

  private static String name(Fields f, String field) {
    String v = f.string(field);
    if (v.isEmpty() || v.length() > MAX_NAME || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw f.error(field, "must be 1-" + MAX_NAME + " characters without control characters");
    }
    return v;
  }

  /** @param inFile the scene was read from a file, whose folder relative paths may resolve against */
  private static SceneSpec.Builtin builtin(JsonNode scene, boolean inFile) {
    if (scene == null) {
      throw new InvalidJobException(null, "scene", "is required for the builtin renderer");
    }
    Fields f = Fields.of(scene, "scene");
    // Registered up front so that an unknown field's error lists the valid ones in a natural order.
    for (String name : List.of("camera", "sky", "environment", "assets", "textures", "materials", "objects", "lights",
        "maxDepth", "encoding", "exposure", "cameraKeys", "fps")) {
      f.has(name);
    }
    S3Uri assets = null;
    if (f.has("assets")) {
      assets = assetsLocation(f);
    }
    boolean relativeAllowed = inFile || assets != null;

    Map<String, SceneSpec.Texture> textures = new LinkedHashMap<>();
    JsonNode texs = f.raw("textures");
    if (texs != null) {
      named(f, "textures", texs, MAX_TEXTURES).forEach((name, node) ->
          textures.put(name, texture(node, "scene.textures." + name, relativeAllowed)));
    }

    Map<String, SceneSpec.Material> materials = new LinkedHashMap<>();
    JsonNode mats = f.raw("materials");
    if (mats != null) {
      named(f, "materials", mats, MAX_MATERIALS).forEach((name, node) ->
          materials.put(name, material(node, "scene.materials." + name, textures)));
    }

    List<SceneSpec.Shape> objects = new ArrayList<>();
    List<JsonNode> nodes = f.array("objects", MAX_OBJECTS);
    for (int i = 0; i < nodes.size(); i++) {
      String path = "scene.objects[" + i + "]";
      SceneSpec.Shape shape = shape(nodes.get(i), path, relativeAllowed);
      if (shape.material() != null && !materials.containsKey(shape.material())) {
        throw new InvalidJobException(null, path + ".material", "names material '" + shape.material()
            + "', which is not defined (defined: "
            + (materials.isEmpty() ? "none" : String.join(", ", materials.keySet())) + ")");
      }
      objects.add(shape);
    }
    if (objects.isEmpty()) {
      throw f.error("objects", "is empty: the scene has nothing to render");
    }
    boolean importsGltf = objects.stream().anyMatch(o -> o instanceof SceneSpec.Gltf);
    SceneSpec.Camera camera = null;
    List<SceneSpec.CameraKey> cameraKeys = f.has("cameraKeys") ? cameraKeys(f) : List.of();
    if (f.has("camera")) {
      if (!cameraKeys.isEmpty()) {
        throw f.error("cameraKeys", "give either \"camera\" or \"cameraKeys\", not both");
      }
      camera = camera(f.raw("camera"));
    } else if (!importsGltf && cameraKeys.isEmpty()) {
      throw f.error("camera", "is required (only a scene that imports a glTF file may leave it out, to use the file's "
          + "camera; an animated one may give cameraKeys instead)");
    }
    double fps = f.number("fps", 0.001, 1000, SceneSpec.Builtin.DEFAULT_FPS);
    double[] sky = f.vector("sky", 3, 0, BIG, new double[] {0, 0, 0});
    SceneSpec.Environment environment = null;
    if (f.has("environment")) {
      environment = environment(f.raw("environment"), relativeAllowed);
    }
    List<SceneSpec.Light> lights = new ArrayList<>();
    if (f.has("lights")) {
      List<JsonNode> ls = f.array("lights", MAX_LIGHTS);
      for (int i = 0; i < ls.size(); i++) {
        lights.add(light(ls.get(i), "scene.lights[" + i + "]"));
      }
    }
    int maxDepth = f.integer("maxDepth", 1, 64, 8);
    String encoding = f.string("encoding", "srgb8");
    if (!encoding.equals("srgb8") && !encoding.equals("linear16")) {
      throw f.error("encoding", "must be \"srgb8\" or \"linear16\", got \"" + encoding + "\"");
    }
    double exposure = f.number("exposure", 1e-6, BIG, 1);
    f.done();
    return new SceneSpec.Builtin(camera, sky, environment, textures, materials, objects, lights, maxDepth, assets,
        encoding.equals("linear16"), exposure, cameraKeys, fps);
  }

  private static S3Uri assetsLocation(Fields f) {
    String text = f.string("assets");
    S3Uri uri;
    try {
      uri = S3Uri.parse(text);
    } catch (IllegalArgumentException e) {
      throw f.error("assets", e.getMessage());
    }
    String ext = uri.extension().toLowerCase(Locale.ROOT);
    if (!uri.key().endsWith("/") && !ext.equals("zip") && !ext.equals("tar")) {
      throw f.error("assets", "'" + uri + "' must be a folder (ending in '/') or a .zip or .tar archive");
    }
    return uri;
  }

  private static Map<String, JsonNode> named(Fields f, String name, JsonNode node, int max) {
    if (!node.isObject() || node.size() == 0) {
      throw f.error(name, "must be an object of named entries, got " + Fields.describe(node));
    }
    if (node.size() > max) {
      throw f.error(name, "has " + node.size() + " entries; at most " + max + " are allowed");
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** Most keys of a camera path. */
  static final int MAX_CAMERA_KEYS = 10_000;

  /** The scene's {@code cameraKeys}: cameras with a {@code frame}, frames rising. */
  private static List<SceneSpec.CameraKey> cameraKeys(Fields scene) {
    List<JsonNode> nodes = scene.array("cameraKeys", MAX_CAMERA_KEYS);
    if (nodes.isEmpty()) {
      throw scene.error("cameraKeys", "is empty: give at least one key, or a camera");
    }
    List<SceneSpec.CameraKey> keys = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      String path = "scene.cameraKeys[" + i + "]";
      Fields k = Fields.of(nodes.get(i), path);
      int frame = k.integer("frame", JobRequest.Frames.MIN_FRAME, JobRequest.Frames.MAX_FRAME);
      if (!keys.isEmpty() && frame <= keys.get(keys.size() - 1).frame()) {
        throw k.error("frame", "is " + frame + ", not after the key before it (frame "
            + keys.get(keys.size() - 1).frame() + "): keys go in rising frame order");
      }
      com.fasterxml.jackson.databind.node.ObjectNode camera = ((com.fasterxml.jackson.databind.node.ObjectNode)
          nodes.get(i)).deepCopy();
      camera.remove("frame");
      keys.add(new SceneSpec.CameraKey(frame, camera(camera, path)));
    }
    return keys;
  }

  private static SceneSpec.Camera camera(JsonNode node) {
    return camera(node, "scene.camera");
  }

  private static SceneSpec.Camera camera(JsonNode node, String path) {
    Fields f = Fields.of(node, path);
    double[] position = f.vector("position", 3, -BIG, BIG, null);
    double[] lookAt = f.vector("lookAt", 3, -BIG, BIG, null);
    double[] up = f.vector("up", 3, -BIG, BIG, new double[] {0, 1, 0});
    double fov = f.number("fov", 1, 170, 40);
    double aperture = f.number("aperture", 0, BIG, 0);
    double[] dir = {lookAt[0] - position[0], lookAt[1] - position[1], lookAt[2] - position[2]};
    double focusDistance = f.number("focusDistance", 1e-6, 1e7, length(dir));
    f.done();
    if (length(dir) < 1e-9) {
      throw f.error("lookAt", "is the same point as position");
    }
    double[] cross = {dir[1] * up[2] - dir[2] * up[1], dir[2] * up[0] - dir[0] * up[2],
        dir[0] * up[1] - dir[1] * up[0]};
    if (length(cross) < 1e-9 * length(dir) * Math.max(length(up), 1e-300)) {
      throw f.error("up", "is zero or parallel to the viewing direction");
    }
    return new SceneSpec.Camera(position, lookAt, up, fov, aperture, focusDistance);
  }

  private static SceneSpec.Environment environment(JsonNode node, boolean relativeAllowed) {
    Fields f = Fields.of(node, "scene.environment");
    String file = file(f, "file", relativeAllowed, List.of("hdr"));
    double strength = f.number("strength", 0, BIG, 1);
    double rotation = f.number("rotation", -360, 360, 0);
    f.done();
    return new SceneSpec.Environment(file, strength, rotation);
  }

  private static SceneSpec.Texture texture(JsonNode node, String path, boolean relativeAllowed) {
    Fields f = Fields.of(node, path);
    String type = f.string("type");
    SceneSpec.Texture t = switch (type) {
      case "image" -> {
        String file = file(f, "file", relativeAllowed, List.of("png", "jpg", "jpeg"));
        String colorSpace = f.string("colorSpace", "srgb");
        if (!colorSpace.equals("srgb") && !colorSpace.equals("linear")) {
          throw f.error("colorSpace", "must be \"srgb\" or \"linear\", got \"" + colorSpace + "\"");
        }
        yield new SceneSpec.ImageTexture(file, colorSpace.equals("srgb"));
      }
      case "checker" -> new SceneSpec.Checker(f.vector("color1", 3, 0, 1, new double[] {0.9, 0.9, 0.9}),
          f.vector("color2", 3, 0, 1, new double[] {0.1, 0.1, 0.1}), f.number("scale", 1e-3, BIG, 8));
      default -> throw f.error("type", "unknown texture type '" + type + "' (valid: image, checker)");
    };
    f.done();
    return t;
  }

  private static SceneSpec.Material material(JsonNode node, String path, Map<String, SceneSpec.Texture> textures) {
    Fields f = Fields.of(node, path);
    String type = f.string("type");
    SceneSpec.Material m = switch (type) {
      case "diffuse" -> new SceneSpec.Diffuse(f.vector("color", 3, 0, 1, null), textureName(f, "texture", textures));
      case "emissive" -> new SceneSpec.Emissive(f.vector("color", 3, 0, BIG, null), f.number("strength", 0, BIG, 1));
      case "conductor" -> new SceneSpec.Conductor(f.vector("color", 3, 0, 1, null), f.number("roughness", 0, 1, 0));
      case "dielectric" -> new SceneSpec.Dielectric(f.number("ior", 1, 3, 1.5),
          f.vector("color", 3, 0, 1, new double[] {1, 1, 1}));
      case "pbr" -> new SceneSpec.Pbr(f.vector("baseColor", 3, 0, 1, new double[] {1, 1, 1}),
          textureName(f, "baseColorTexture", textures), f.number("metallic", 0, 1, 0), f.number("roughness", 0, 1, 0.5),
          textureName(f, "metallicRoughnessTexture", textures), textureName(f, "normalTexture", textures),
          f.vector("emission", 3, 0, BIG, new double[] {0, 0, 0}), f.number("emissionStrength", 0, BIG, 1),
          textureName(f, "emissiveTexture", textures));
      default -> throw f.error("type", "unknown material type '" + type
          + "' (valid: diffuse, conductor, dielectric, emissive, pbr)");
    };
    f.done();
    return m;
  }

  private static String textureName(Fields f, String name, Map<String, SceneSpec.Texture> textures) {
    String t = f.string(name, null);
    if (t != null && !textures.containsKey(t)) {
      throw f.error(name, "names texture '" + t + "', which is not defined (defined: "
          + (textures.isEmpty() ? "none" : String.join(", ", textures.keySet())) + ")");
    }
    return t;
  }

  private static SceneSpec.Shape shape(JsonNode node, String path, boolean relativeAllowed) {
    Fields f = Fields.of(node, path);
    String type = f.string("type");
    SceneSpec.Shape s = switch (type) {
      case "sphere" -> new SceneSpec.Sphere(f.vector("center", 3, -BIG, BIG, null),
          f.number("radius", 1e-6, BIG), f.string("material"));
      case "plane" -> {
        double[] point = f.vector("point", 3, -BIG, BIG, null);
        double[] normal = f.vector("normal", 3, -BIG, BIG, null);
        if (length(normal) < 1e-9) {
          throw f.error("normal", "must not be the zero vector");
        }
        yield new SceneSpec.Plane(point, normal, f.string("material"));
      }
      case "quad" -> {
        double[] corner = f.vector("corner", 3, -BIG, BIG, null);
        double[] e1 = f.vector("edge1", 3, -BIG, BIG, null);
        double[] e2 = f.vector("edge2", 3, -BIG, BIG, null);
        if (length(cross(e1, e2)) < 1e-12) {
          throw f.error("edge2", "is zero or parallel to edge1: the quad has no area");
        }
        yield new SceneSpec.Quad(corner, e1, e2, f.string("material"));
      }
      case "box" -> {
        double[] min = f.vector("min", 3, -BIG, BIG, null);
        double[] max = f.vector("max", 3, -BIG, BIG, null);
        for (int i = 0; i < 3; i++) {
          if (!(max[i] > min[i])) {
            throw f.error("max", "must exceed min in every coordinate (coordinate " + i + ": " + max[i] + " <= "
                + min[i] + ")");
          }
        }
        yield new SceneSpec.Box(min, max, transform(f), f.string("material"));
      }
      case "mesh" -> mesh(f, relativeAllowed);
      case "gltf" -> new SceneSpec.Gltf(file(f, "file", relativeAllowed, List.of("gltf", "glb")), transform(f));
      default -> throw f.error("type",
          "unknown object type '" + type + "' (valid: sphere, plane, quad, box, mesh, gltf)");
    };
    f.done();
    return s;
  }

  private static SceneSpec.Mesh mesh(Fields f, boolean relativeAllowed) {
    SceneSpec.Transform transform = transform(f);
    if (f.has("file")) {
      String file = file(f, "file", relativeAllowed, List.of("obj"));
      for (String inline : List.of("positions", "indices", "normals", "uvs")) {
        if (f.has(inline)) {
          throw f.error(inline, "is not allowed with file: a mesh comes from a file or is given inline, not both");
        }
      }
      return new SceneSpec.Mesh(file, null, null, null, null, transform, f.string("material", null));
    }
    double[] positions = numbers(f, "positions", 3, true);
    int vertices = positions.length / 3;
    double[] indexNumbers = numbers(f, "indices", 3, true);
    int[] indices = new int[indexNumbers.length];
    for (int i = 0; i < indices.length; i++) {
      double v = indexNumbers[i];
      if (v != Math.rint(v) || v < 0 || v >= vertices) {
        throw f.error("indices[" + i + "]", "must be a vertex index from 0 to " + (vertices - 1) + ", got " + v);
      }
      indices[i] = (int) v;
    }
    double[] normals = f.has("normals") ? numbers(f, "normals", 3, true) : null;
    if (normals != null && normals.length != positions.length) {
      throw f.error("normals", "has " + normals.length / 3 + " normals for " + vertices + " vertices");
    }
    double[] uvs = f.has("uvs") ? numbers(f, "uvs", 2, false) : null;
    if (uvs != null && uvs.length / 2 != vertices) {
      throw f.error("uvs", "has " + uvs.length / 2 + " uv pairs for " + vertices + " vertices");
    }
    return new SceneSpec.Mesh(null, positions, indices, normals, uvs, transform, f.string("material"));
  }

  /** A flat array of numbers whose length is a positive multiple of {@code group}. */
  private static double[] numbers(Fields f, String name, int group, boolean bounded) {
    List<JsonNode> nodes = f.array(name, MAX_MESH_NUMBERS);
    if (nodes.isEmpty() || nodes.size() % group != 0) {
      throw f.error(name, "must hold a positive multiple of " + group + " numbers, got " + nodes.size());
    }
    double[] out = new double[nodes.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode n = nodes.get(i);
      if (!n.isNumber() || !Double.isFinite(n.asDouble()) || (bounded && Math.abs(n.asDouble()) > BIG)) {
        throw f.error(name + "[" + i + "]",
            "must be a number from " + -BIG + " to " + BIG + ", got " + Fields.describe(n));
      }
      out[i] = n.asDouble();
    }
    return out;
  }

  private static SceneSpec.Transform transform(Fields f) {
    JsonNode node = f.raw("transform");
    if (node == null) {
      return SceneSpec.Transform.IDENTITY;
    }
    Fields t = Fields.of(node, f.path("transform"));
    double[] translate = t.vector("translate", 3, -BIG, BIG, new double[] {0, 0, 0});
    double[] rotate = t.vector("rotate", 3, -360, 360, new double[] {0, 0, 0});
    double[] scale = t.vector("scale", 3, -BIG, BIG, new double[] {1, 1, 1});
    for (int i = 0; i < 3; i++) {
      if (Math.abs(scale[i]) < 1e-9) {
        throw t.error("scale[" + i + "]", "must not be zero: a flattened object has no inside");
      }
    }
    t.done();
    return new SceneSpec.Transform(translate, rotate, scale);
  }

  private static SceneSpec.Light light(JsonNode node, String path) {
    Fields f = Fields.of(node, path);
    String type = f.string("type");
    SceneSpec.Light l = switch (type) {
      case "point" -> new SceneSpec.PointLight(f.vector("position", 3, -BIG, BIG, null),
          f.vector("color", 3, 0, BIG, new double[] {1, 1, 1}), f.number("intensity", 0, BIG, 1));
      case "spot" -> {
        double[] position = f.vector("position", 3, -BIG, BIG, null);
        double[] direction = direction(f);
        double[] color = f.vector("color", 3, 0, BIG, new double[] {1, 1, 1});
        double intensity = f.number("intensity", 0, BIG, 1);
        double angle = f.number("angle", 0.1, 90, 30);
        double inner = f.number("innerAngle", 0, 90, angle * 0.75);
        if (inner > angle) {
          throw f.error("innerAngle", "must not exceed angle (" + angle + "), got " + inner);
        }
        yield new SceneSpec.SpotLight(position, direction, color, intensity, angle, inner);
      }
      case "directional" -> new SceneSpec.DirectionalLight(direction(f),
          f.vector("color", 3, 0, BIG, new double[] {1, 1, 1}), f.number("intensity", 0, BIG, 1));
      default -> throw f.error("type", "unknown light type '" + type + "' (valid: point, spot, directional)");
    };
    f.done();
    return l;
  }

  private static double[] direction(Fields f) {
    double[] d = f.vector("direction", 3, -BIG, BIG, null);
    if (length(d) < 1e-9) {
      throw f.error("direction", "must not be the zero vector");
    }
    return d;
  }

  /**
   * An asset reference: a {@code data:} URI, an {@code s3://} URI, or a relative path that stays inside its
   * root (no '..', '.', empty or absolute segments, no backslash): checked here so that a worker never
   * resolves a path outside the scene's assets.
   */
  private static String file(Fields f, String name, boolean relativeAllowed, List<String> extensions) {
    String ref = f.string(name);
    if (ref.startsWith("data:")) {
      int comma = ref.indexOf(',');
      if (comma < 0 || !ref.substring(0, comma).endsWith(";base64")) {
        throw f.error(name, "a data: URI must be base64 (data:<type>;base64,<data>)");
      }
      try {
        Base64.getDecoder().decode(ref.substring(comma + 1));
      } catch (IllegalArgumentException e) {
        throw f.error(name, "holds invalid base64: " + e.getMessage());
      }
      return ref;
    }
    if (ref.length() > MAX_FILE_REFERENCE) {
      throw f.error(name, "is " + ref.length() + " characters long; at most " + MAX_FILE_REFERENCE + " are allowed");
    }
    String path = ref;
    if (ref.startsWith("s3://")) {
      try {
        path = S3Uri.parse(ref).key();
      } catch (IllegalArgumentException e) {
        throw f.error(name, e.getMessage());
      }
    } else {
      if (ref.isEmpty() || ref.startsWith("/") || ref.contains("\\") || ref.contains("://")) {
        throw f.error(name,
            "'" + ref + "' must be a relative path inside the scene's assets, an s3:// URI or a data: URI");
      }
      for (String segment : ref.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          throw f.error(name,
              "'" + ref + "' has an empty, '.' or '..' segment: paths must stay inside the scene's assets");
        }
      }
      for (char c : ref.toCharArray()) {
        if (c < 0x20 || c == 0x7f) {
          throw f.error(name, "holds a control character");
        }
      }
      if (!relativeAllowed) {
        throw f.error(name, "'" + ref + "' is a relative path, but the scene gives no 'assets' location to find it in");
      }
    }
    int dot = path.lastIndexOf('.');
    String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (!extensions.contains(ext)) {
      throw f.error(name, "'" + ref + "' must be a ." + String.join(", .", extensions) + " file");
    }
    return ref;
  }

  private static double[] cross(double[] a, double[] b) {
    return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
  }

  private static double length(double[] v) {
    return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
}
