package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tilefarm.schemas.SceneSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SceneLoaderTest {
  @Test
  void emissiveSpheresBecomeSampledLightsAndEmissivePlanesDoNot() {
    Map<String, SceneSpec.Material> materials = new LinkedHashMap<>();
    materials.put("lamp", new SceneSpec.Emissive(new double[] {1, 1, 1}, 5));
    materials.put("off", new SceneSpec.Emissive(new double[] {1, 1, 1}, 0));
    materials.put("wall", new SceneSpec.Diffuse(new double[] {0.5, 0.5, 0.5}));
    SceneSpec.Builtin spec = new SceneSpec.Builtin(
        new SceneSpec.Camera(new double[] {0, 0, 5}, new double[] {0, 0, 0}, new double[] {0, 1, 0}, 40),
        new double[] {0, 0, 0}, null, Map.of(), materials,
        List.of(new SceneSpec.Sphere(new double[] {0, 2, 0}, 0.5, "lamp"),
            new SceneSpec.Plane(new double[] {0, 5, 0}, new double[] {0, -3, 0}, "lamp"),
            new SceneSpec.Sphere(new double[] {1, 2, 0}, 0.5, "off"),
            new SceneSpec.Sphere(new double[] {0, 0, 0}, 1, "wall")),
        List.of(), 4, null, false, 1);
    SceneLoader.Loaded loaded = SceneLoader.load(spec, SceneAssets.NONE, 10, 10);
    Scene scene = loaded.scene();
    assertEquals(1, scene.lights().size());
    // The plane's normal is normalised; the camera looking down -z sees the wall sphere in the middle.
    Ray ray = new Ray(new Vec3(0, 4, 0), new Vec3(0, 1, 0));
    SurfaceHit hit = scene.aggregate().intersect(ray, Double.POSITIVE_INFINITY, new Scratch());
    assertEquals(1, hit.t(), 1e-12);
    assertEquals(-1, hit.normal().y(), 1e-12);
    assertEquals(new Rgb(5, 5, 5), hit.material().emitted(hit, new Vec3(0, -1, 0)));
    assertNull(hit.light());
    SurfaceHit centre = scene.aggregate().intersect(loaded.camera().generateRay(5, 5, 0.5, 0.5),
        Double.POSITIVE_INFINITY, new Scratch());
    assertEquals(4, centre.t(), 1e-12);
  }

  @Test
  void everyShapeMaterialTextureAndLightKindIsLoaded() {
    // SceneLoader dispatches with instanceof over these sealed sets; a new kind must get a branch there.
    assertEquals(List.of(SceneSpec.Diffuse.class, SceneSpec.Emissive.class, SceneSpec.Conductor.class,
        SceneSpec.Dielectric.class, SceneSpec.Pbr.class), List.of(SceneSpec.Material.class.getPermittedSubclasses()));
    assertEquals(List.of(SceneSpec.Sphere.class, SceneSpec.Plane.class, SceneSpec.Quad.class, SceneSpec.Box.class,
        SceneSpec.Mesh.class, SceneSpec.Gltf.class), List.of(SceneSpec.Shape.class.getPermittedSubclasses()));
    assertEquals(List.of(SceneSpec.ImageTexture.class, SceneSpec.Checker.class),
        List.of(SceneSpec.Texture.class.getPermittedSubclasses()));
    assertEquals(List.of(SceneSpec.PointLight.class, SceneSpec.SpotLight.class, SceneSpec.DirectionalLight.class),
        List.of(SceneSpec.Light.class.getPermittedSubclasses()));
  }
}
