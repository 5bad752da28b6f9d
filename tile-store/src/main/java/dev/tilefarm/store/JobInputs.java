package dev.tilefarm.store;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every object in storage a job names, by the field that names it: a process job's input; a render job's
 * scene file or archive, its assets location, and each asset given as an {@code s3://} URI (environment map,
 * textures, OBJ and glTF files). Relative asset paths are not listed: they resolve under the assets location
 * (or the stored scene), which is. What a stored scene names inside itself only the worker can see; it checks
 * those against the same buckets.
 */
final class JobInputs {
  private JobInputs() {}

  /** The objects {@code job} reads, in the order of its fields, keyed by field path ({@code scene.objects[2].file}). */
  static Map<String, S3Uri> of(JobRequest job) {
    Map<String, S3Uri> out = new LinkedHashMap<>();
    switch (job) {
      case JobRequest.Process p -> {
        if (p.input() != null) { // null: another job's output, checked once that job completed
          out.put("input", p.input());
        }
      }
      case JobRequest.Encode e -> {
        if (e.input() != null) { // null: another job's frames, known once that job completed
          out.put("input", e.input());
        }
      }
      case JobRequest.Render r -> {
        switch (r.scene()) {
          case SceneSpec.Stored s -> out.put("scene", s.uri());
          case SceneSpec.PovRay p -> out.put("scene.file", p.file());
          case SceneSpec.Blender b -> out.put("scene.file", b.file());
          case SceneSpec.Builtin b -> builtin(b, out);
          case SceneSpec.Mandelbrot m -> {
            // Computed: reads nothing.
          }
          case SceneSpec.Sleep z -> {
            // The bench's sleeping tiles read nothing.
          }
        }
      }
    }
    return out;
  }

  private static void builtin(SceneSpec.Builtin b, Map<String, S3Uri> out) {
    if (b.assets() != null) {
      out.put("scene.assets", b.assets());
    }
    if (b.environment() != null) {
      add(out, "scene.environment.file", b.environment().file());
    }
    new TreeMap<>(b.textures()).forEach((name, texture) -> {
      if (texture instanceof SceneSpec.ImageTexture t) {
        add(out, "scene.textures." + name + ".file", t.file());
      }
    });
    List<SceneSpec.Shape> objects = b.objects();
    for (int i = 0; i < objects.size(); i++) {
      String file = switch (objects.get(i)) {
        case SceneSpec.Mesh m -> m.file();
        case SceneSpec.Gltf g -> g.file();
        case SceneSpec.Sphere s -> null;
        case SceneSpec.Plane p -> null;
        case SceneSpec.Quad q -> null;
        case SceneSpec.Box x -> null;
      };
      add(out, "scene.objects[" + i + "].file", file);
    }
  }

  private static void add(Map<String, S3Uri> out, String field, String ref) {
    if (ref != null && ref.startsWith("s3://")) {
      out.put(field, S3Uri.parse(ref));
    }
  }
}
