package dev.tilefarm.schemas;

import java.util.List;
import java.util.Map;

/** What a render job draws; its kind follows the job's {@code "renderer"}. */
public sealed interface SceneSpec permits SceneSpec.Mandelbrot, SceneSpec.Builtin {

  /**
   * The Mandelbrot set around ({@code centerX}, {@code centerY}); at zoom 1 the image's shorter side spans
   * 3 units of the complex plane.
   */
  record Mandelbrot(double centerX, double centerY, double zoom, int iterations) implements SceneSpec {}

  /** A scene for the built-in path tracer: a camera, named materials and the objects that use them. */
  record Builtin(Camera camera, double[] sky, Map<String, Material> materials, List<Shape> objects, int maxDepth)
      implements SceneSpec {
    public Builtin {
      materials = Map.copyOf(materials);
      objects = List.copyOf(objects);
    }
  }

  /** A pinhole camera at {@code position} looking at {@code lookAt}; {@code fov} is the vertical field of view in degrees. */
  record Camera(double[] position, double[] lookAt, double[] up, double fov) {}

  /** A surface's response to light. Colours are linear RGB. */
  sealed interface Material permits Diffuse, Emissive {}

  /** A Lambertian reflector with the given albedo (each channel 0..1). */
  record Diffuse(double[] color) implements Material {}

  /** A light source: it emits {@code color * strength} and reflects nothing. */
  record Emissive(double[] color, double strength) implements Material {}

  /** Geometry that carries a material by name. */
  sealed interface Shape permits Sphere, Plane {
    String material();
  }

  record Sphere(double[] center, double radius, String material) implements Shape {}

  /** An infinite plane through {@code point} facing {@code normal}. */
  record Plane(double[] point, double[] normal, String material) implements Shape {}
}
