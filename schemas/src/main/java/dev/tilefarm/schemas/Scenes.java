package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses the {@code "scene"} of a render job, strictly, for the renderer that will draw it. */
final class Scenes {
  static final int MAX_OBJECTS = 10_000;
  static final int MAX_MATERIALS = 1_000;
  private static final double BIG = 1e6;

  private Scenes() {}

  static SceneSpec parse(String renderer, JsonNode scene) {
    return switch (renderer) {
      case "mandelbrot" -> mandelbrot(scene);
      case "builtin" -> builtin(scene);
      default -> throw new IllegalStateException("no scene parser for renderer " + renderer);
    };
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

  private static SceneSpec.Builtin builtin(JsonNode scene) {
    if (scene == null) {
      throw new InvalidJobException(null, "scene", "is required for the builtin renderer");
    }
    Fields f = Fields.of(scene, "scene");
    SceneSpec.Camera camera = camera(f.raw("camera"));
    double[] sky = f.vector("sky", 3, 0, BIG, new double[] {0, 0, 0});

    JsonNode mats = f.raw("materials");
    if (mats == null || !mats.isObject() || mats.size() == 0) {
      throw f.error("materials", "must be an object of named materials, got " + Fields.describe(mats));
    }
    if (mats.size() > MAX_MATERIALS) {
      throw f.error("materials", "has " + mats.size() + " entries; at most " + MAX_MATERIALS + " are allowed");
    }
    Map<String, SceneSpec.Material> materials = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = mats.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      materials.put(e.getKey(), material(e.getValue(), "scene.materials." + e.getKey()));
    }

    List<SceneSpec.Shape> objects = new ArrayList<>();
    List<JsonNode> nodes = f.array("objects", MAX_OBJECTS);
    for (int i = 0; i < nodes.size(); i++) {
      String path = "scene.objects[" + i + "]";
      SceneSpec.Shape shape = shape(nodes.get(i), path);
      if (!materials.containsKey(shape.material())) {
        throw new InvalidJobException(null, path + ".material", "names material '" + shape.material()
            + "', which is not defined (defined: " + String.join(", ", materials.keySet()) + ")");
      }
      objects.add(shape);
    }
    if (objects.isEmpty()) {
      throw f.error("objects", "is empty: the scene has nothing to render");
    }
    int maxDepth = f.integer("maxDepth", 1, 64, 8);
    f.done();
    return new SceneSpec.Builtin(camera, sky, materials, objects, maxDepth);
  }

  private static SceneSpec.Camera camera(JsonNode node) {
    Fields f = Fields.of(node, "scene.camera");
    double[] position = f.vector("position", 3, -BIG, BIG, null);
    double[] lookAt = f.vector("lookAt", 3, -BIG, BIG, null);
    double[] up = f.vector("up", 3, -BIG, BIG, new double[] {0, 1, 0});
    double fov = f.number("fov", 1, 170, 40);
    f.done();
    double[] dir = {lookAt[0] - position[0], lookAt[1] - position[1], lookAt[2] - position[2]};
    if (length(dir) < 1e-9) {
      throw f.error("lookAt", "is the same point as position");
    }
    double[] cross = {dir[1] * up[2] - dir[2] * up[1], dir[2] * up[0] - dir[0] * up[2], dir[0] * up[1] - dir[1] * up[0]};
    if (length(cross) < 1e-9 * length(dir) * Math.max(length(up), 1e-300)) {
      throw f.error("up", "is zero or parallel to the viewing direction");
    }
    return new SceneSpec.Camera(position, lookAt, up, fov);
  }

  private static SceneSpec.Material material(JsonNode node, String path) {
    Fields f = Fields.of(node, path);
    String type = f.string("type");
    SceneSpec.Material m = switch (type) {
      case "diffuse" -> new SceneSpec.Diffuse(f.vector("color", 3, 0, 1, null));
      case "emissive" -> new SceneSpec.Emissive(f.vector("color", 3, 0, BIG, null), f.number("strength", 0, BIG, 1));
      default -> throw f.error("type", "unknown material type '" + type + "' (valid: diffuse, emissive)");
    };
    f.done();
    return m;
  }

  private static SceneSpec.Shape shape(JsonNode node, String path) {
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
      default -> throw f.error("type", "unknown object type '" + type + "' (valid: sphere, plane)");
    };
    f.done();
    return s;
  }

  private static double length(double[] v) {
    return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
}
