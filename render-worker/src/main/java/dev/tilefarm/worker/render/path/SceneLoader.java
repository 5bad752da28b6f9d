package dev.tilefarm.worker.render.path;

import dev.tilefarm.schemas.SceneSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a job's scene description into the tracer's objects. The schema's closed sets (shapes, materials)
 * become implementations here and nowhere else.
 */
final class SceneLoader {
  private SceneLoader() {}

  static Scene scene(SceneSpec.Builtin spec) {
    Map<String, Material> materials = new HashMap<>();
    spec.materials().forEach((name, m) -> materials.put(name, material(m)));
    List<Primitive> primitives = new ArrayList<>(spec.objects().size());
    List<Light> lights = new ArrayList<>();
    for (SceneSpec.Shape s : spec.objects()) {
      Shape shape = shape(s);
      Material material = materials.get(s.material());
      if (material == null) {
        // The schema checks material names; this guards scenes built without it.
        throw new IllegalArgumentException("object names material '" + s.material() + "', which is not defined");
      }
      Light light = null;
      if (material instanceof EmissiveMaterial e && !e.radiance().isBlack() && shape instanceof Sphere sphere) {
        // Emissive spheres are sampled directly; emissive planes (infinite) only when a path hits them.
        light = new SphereLight(sphere, e.radiance());
        lights.add(light);
      }
      primitives.add(new Primitive(shape, material, light));
    }
    return new Scene(new LinearAggregate(primitives), lights, Rgb.of(spec.sky()));
  }

  static Camera camera(SceneSpec.Camera spec, int width, int height) {
    return new PinholeCamera(Vec3.of(spec.position()), Vec3.of(spec.lookAt()), Vec3.of(spec.up()), spec.fov(),
        width, height);
  }

  // Java 17 has no pattern switch; Material and Shape are sealed, so these branches are all there is
  // (SceneLoaderTest fails when schemas adds a kind).
  static Material material(SceneSpec.Material spec) {
    if (spec instanceof SceneSpec.Diffuse d) {
      return new DiffuseMaterial(Rgb.of(d.color()));
    } else if (spec instanceof SceneSpec.Emissive e) {
      return new EmissiveMaterial(Rgb.of(e.color()).times(e.strength()));
    }
    throw new IllegalStateException("no material for " + spec.getClass().getName());
  }

  static Shape shape(SceneSpec.Shape spec) {
    if (spec instanceof SceneSpec.Sphere s) {
      return new Sphere(Vec3.of(s.center()), s.radius());
    } else if (spec instanceof SceneSpec.Plane p) {
      return new Plane(Vec3.of(p.point()), Vec3.of(p.normal()).normalized());
    }
    throw new IllegalStateException("no shape for " + spec.getClass().getName());
  }
}
