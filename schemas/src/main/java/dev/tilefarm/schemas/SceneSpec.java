package dev.tilefarm.schemas;

import java.util.List;
import java.util.Map;

/**
 * What a render job draws; its kind follows the job's {@code "renderer"}. The builtin renderer takes its
 * scene inline ({@link Builtin}) or as an object in storage ({@link Stored}) that the worker fetches.
 *
 * <p>Asset references ({@code file} fields) are kept as written: a {@code data:} URI (inline, base64), an
 * {@code s3://} URI, or a path relative to the scene's {@code assets} location (or, for a stored scene, to the
 * folder or archive it was read from). {@link Scenes} has already checked that relative paths stay inside
 * their root.
 */
public sealed interface SceneSpec
    permits SceneSpec.Mandelbrot, SceneSpec.Builtin, SceneSpec.Stored, SceneSpec.PovRay, SceneSpec.Blender,
    SceneSpec.Sleep {

  /** The renderer that draws it: each kind names its own (a stored scene is a builtin one kept in storage). */
  Renderer renderer();

  /**
   * The Mandelbrot set around ({@code centerX}, {@code centerY}); at zoom 1 the image's shorter side spans
   * 3 units of the complex plane.
   */
  record Mandelbrot(double centerX, double centerY, double zoom, int iterations) implements SceneSpec {
    @Override
    public Renderer renderer() {
      return Renderer.MANDELBROT;
    }
  }

  /**
   * For benchmarks: every tile takes {@code millisPerTile} of wall time and almost no CPU, and is black. It lets a
   * bench run hundreds of workers on a few cores and measure what the farm itself costs and sustains.
   */
  record Sleep(int millisPerTile) implements SceneSpec {
    /** The longest a tile may sleep: one minute. */
    public static final int MAX_MILLIS = 60_000;

    public Sleep {
      if (millisPerTile < 0 || millisPerTile > MAX_MILLIS) {
        throw new IllegalArgumentException("millisPerTile must be from 0 to " + MAX_MILLIS + ", got " + millisPerTile);
      }
    }

    @Override
    public Renderer renderer() {
      return Renderer.SLEEP;
    }
  }

  /**
   * A builtin scene kept in object storage: a JSON scene, a glTF ({@code .gltf}/{@code .glb}) or OBJ file, or
   * a {@code .zip}/{@code .tar} archive holding one of them (a {@code scene.json} at its root, else its only
   * {@code .gltf}/{@code .glb}/{@code .obj}). Only the worker can read it, so its faults are reported as
   * FAILED, not REJECTED.
   */
  record Stored(S3Uri uri) implements SceneSpec {
    @Override
    public Renderer renderer() {
      return Renderer.BUILTIN;
    }
  }

  /**
   * A POV-Ray scene in object storage: a {@code .pov} file, or a {@code .zip}/{@code .tar} archive of a scene
   * with its include files and assets, whose {@code main} file is rendered (null: the archive's only
   * {@code .pov} at its root). Its options are the allow-listed ones of the job's {@code scene} object.
   *
   * @param antialias the antialiasing threshold ({@code +A}), 0 for none
   * @param antialiasDepth the most supersamples per side of a pixel ({@code +R})
   * @param jitter whether supersamples are jittered ({@code +J}); off by default, for repeatable images
   * @param quality render quality 0-11 ({@code +Q})
   * @param clockStart {@code clock} at the animation's initial frame (POV-Ray's {@code Initial_Clock})
   * @param clockEnd {@code clock} at the animation's final frame ({@code Final_Clock})
   * @param frameRange POV-Ray's {@code Initial_Frame} and {@code Final_Frame}, or null for the job's first and
   *     last frame; a frame's {@code clock} and {@code clock_delta} follow from them as in POV-Ray
   * @param cyclic POV-Ray's {@code Cyclic_Animation}: the final frame stops one step short of {@code clockEnd}
   * @param declare POV-Ray's {@code Declare=NAME=VALUE}: float identifiers the scene sees, by name
   */
  record PovRay(S3Uri file, String main, double antialias, int antialiasDepth, boolean jitter, int quality,
      double clockStart, double clockEnd, int[] frameRange, boolean cyclic, Map<String, Double> declare)
      implements SceneSpec {
    public PovRay {
      frameRange = frameRange == null ? null : frameRange.clone();
      declare = Map.copyOf(declare);
    }

    @Override
    public Renderer renderer() {
      return Renderer.POVRAY;
    }

    /** A scene with POV-Ray's defaults for the animation options: the job's frames, no declarations. */
    public PovRay(S3Uri file, String main, double antialias, int antialiasDepth, boolean jitter, int quality,
        double clockStart, double clockEnd) {
      this(file, main, antialias, antialiasDepth, jitter, quality, clockStart, clockEnd, null, false, Map.of());
    }

    @Override
    public int[] frameRange() {
      return frameRange == null ? null : frameRange.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PovRay p && java.util.Objects.equals(file, p.file) && java.util.Objects.equals(main, p.main)
          && antialias == p.antialias && antialiasDepth == p.antialiasDepth && jitter == p.jitter
          && quality == p.quality && clockStart == p.clockStart && clockEnd == p.clockEnd
          && java.util.Arrays.equals(frameRange, p.frameRange) && cyclic == p.cyclic && declare.equals(p.declare);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(file, main, antialias, antialiasDepth, jitter, quality, clockStart, clockEnd,
          java.util.Arrays.hashCode(frameRange), cyclic, declare);
    }
  }

  /**
   * A Blender scene in object storage: a {@code .blend} file, or a {@code .zip}/{@code .tar} archive of one
   * with its textures, whose {@code main} file is rendered (null: the archive's only {@code .blend} at its
   * root). Rendered with Cycles on the CPU, with the job's {@code samples} and {@code seed}.
   *
   * @param scene the name of the scene in the file to render, or null for the file's active scene
   * @param camera the name of the camera object to render through, or null for the scene's camera
   */
  record Blender(S3Uri file, String main, String scene, String camera) implements SceneSpec {
    @Override
    public Renderer renderer() {
      return Renderer.BLENDER;
    }
  }

  /**
   * A scene for the built-in path tracer.
   *
   * @param camera null when the scene imports a glTF file: its first camera is used, else one framing the scene
   * @param environment an equirectangular HDR map lighting the scene from every direction, or null for {@code sky}
   * @param assets where relative {@code file} paths are found: a folder (a URI ending in '/') or a .zip/.tar
   *     archive; null when the scene has no relative paths
   * @param linear16 whether the output is 16-bit linear light (PNG only) instead of tone-mapped 8-bit sRGB
   * @param exposure a factor on radiance before tone mapping (or before encoding, for linear16)
   * @param cameraKeys the camera at some frames, frame numbers rising (empty: {@code camera}, or the glTF's);
   *     between two keys the camera is interpolated linearly, before the first and after the last it holds
   * @param fps frames per second of the job's frames: frame {@code f} shows the glTF animations at time
   *     {@code f / fps} seconds
   */
  record Builtin(Camera camera, double[] sky, Environment environment, Map<String, Texture> textures,
      Map<String, Material> materials, List<Shape> objects, List<Light> lights, int maxDepth, S3Uri assets,
      boolean linear16, double exposure, List<CameraKey> cameraKeys, double fps) implements SceneSpec {
    /** Frames per second when a scene gives none. */
    public static final double DEFAULT_FPS = 24;

    public Builtin {
      textures = Map.copyOf(textures);
      materials = Map.copyOf(materials);
      objects = List.copyOf(objects);
      lights = List.copyOf(lights);
      cameraKeys = List.copyOf(cameraKeys);
      for (int i = 1; i < cameraKeys.size(); i++) {
        if (cameraKeys.get(i).frame() <= cameraKeys.get(i - 1).frame()) {
          throw new IllegalArgumentException("camera key " + i + " is at frame " + cameraKeys.get(i).frame()
              + ", not after frame " + cameraKeys.get(i - 1).frame());
        }
      }
      if (!(fps > 0) || Double.isInfinite(fps)) {
        throw new IllegalArgumentException("fps " + fps);
      }
    }

    /** A scene that does not move: no camera keys, the default frame rate. */
    public Builtin(Camera camera, double[] sky, Environment environment, Map<String, Texture> textures,
        Map<String, Material> materials, List<Shape> objects, List<Light> lights, int maxDepth, S3Uri assets,
        boolean linear16, double exposure) {
      this(camera, sky, environment, textures, materials, objects, lights, maxDepth, assets, linear16, exposure,
          List.of(), DEFAULT_FPS);
    }

    @Override
    public Renderer renderer() {
      return Renderer.BUILTIN;
    }

    /** Whether any object imports a glTF file (which may bring its own camera and lights). */
    public boolean importsGltf() {
      return objects.stream().anyMatch(o -> o instanceof Gltf);
    }
  }

  /**
   * A camera at {@code position} looking at {@code lookAt}; {@code fov} is the vertical field of view in
   * degrees. {@code aperture} is the lens diameter (0: a pinhole, everything sharp); points at
   * {@code focusDistance} along the view are in focus.
   */
  record Camera(double[] position, double[] lookAt, double[] up, double fov, double aperture, double focusDistance) {
    public Camera(double[] position, double[] lookAt, double[] up, double fov) {
      this(position, lookAt, up, fov, 0, distance(position, lookAt));
    }

    static double distance(double[] a, double[] b) {
      double x = a[0] - b[0];
      double y = a[1] - b[1];
      double z = a[2] - b[2];
      return Math.sqrt(x * x + y * y + z * z);
    }
  }

  /** The camera at frame {@code frame} of an animation (a key of {@link Builtin#cameraKeys()}). */
  record CameraKey(int frame, Camera camera) {}

  /**
   * An equirectangular Radiance HDR map ({@code .hdr}), scaled by {@code strength}, turned {@code rotation}
   * degrees about +y.
   */
  record Environment(String file, double strength, double rotation) {}

  /** A texture materials can use by name. */
  sealed interface Texture permits ImageTexture, Checker {}

  /** An image (PNG or JPEG) mapped by uv; {@code srgb} says its values are sRGB-encoded (colours) or linear (data). */
  record ImageTexture(String file, boolean srgb) implements Texture {}

  /** A procedural checkerboard of {@code scale} x {@code scale} squares over the unit uv square. */
  record Checker(double[] color1, double[] color2, double scale) implements Texture {}

  /** A surface's response to light. Colours are linear RGB. Texture fields name a texture, or are null. */
  sealed interface Material permits Diffuse, Emissive, Conductor, Dielectric, Pbr {}

  /** A Lambertian reflector with the given albedo (each channel 0..1), times {@code texture} if given. */
  record Diffuse(double[] color, String texture) implements Material {
    public Diffuse(double[] color) {
      this(color, null);
    }
  }

  /** A light source: it emits {@code color * strength} and reflects nothing. */
  record Emissive(double[] color, double strength) implements Material {}

  /**
   * A metal: reflectance {@code color} at normal incidence (rising to white at grazing angles, Schlick);
   * {@code roughness} 0 is a perfect mirror, above it a GGX microfacet surface.
   */
  record Conductor(double[] color, double roughness) implements Material {}

  /** Smooth glass or water: index of refraction {@code ior}, transmission tinted by {@code color}. */
  record Dielectric(double ior, double[] color) implements Material {}

  /** The glTF 2.0 metallic-roughness model, with its textures and emission. */
  record Pbr(double[] baseColor, String baseColorTexture, double metallic, double roughness,
      String metallicRoughnessTexture, String normalTexture, double[] emission, double emissionStrength,
      String emissiveTexture) implements Material {}

  /** Placement of an object: scale, then rotation about x, y and z (degrees, in that order), then translation. */
  record Transform(double[] translate, double[] rotate, double[] scale) {
    public static final Transform IDENTITY = new Transform(new double[] {0, 0, 0}, new double[] {0, 0, 0},
        new double[] {1, 1, 1});
  }

  /** Geometry. Every kind but {@link Gltf} (and a {@link Mesh} from a file with its own materials) names a material. */
  sealed interface Shape permits Sphere, Plane, Quad, Box, Mesh, Gltf {
    /** The material's name, or null where the geometry brings its own. */
    String material();
  }

  record Sphere(double[] center, double radius, String material) implements Shape {}

  /** An infinite plane through {@code point} facing {@code normal}. */
  record Plane(double[] point, double[] normal, String material) implements Shape {}

  /** The parallelogram corner + s edge1 + t edge2 (s, t in [0, 1]); its front faces edge1 x edge2. */
  record Quad(double[] corner, double[] edge1, double[] edge2, String material) implements Shape {}

  /** An axis-aligned box from {@code min} to {@code max}, then placed by {@code transform}. */
  record Box(double[] min, double[] max, Transform transform, String material) implements Shape {}

  /**
   * A triangle mesh, from an OBJ file ({@code file}, with its MTL materials unless {@code material} overrides
   * them) or given inline ({@code positions}, {@code indices}, optional {@code normals} and {@code uvs}).
   * Meshes from one file share their geometry and acceleration structure (instancing).
   */
  record Mesh(String file, double[] positions, int[] indices, double[] normals, double[] uvs, Transform transform,
      String material) implements Shape {}

  /** A glTF 2.0 file's default scene (meshes, materials, cameras, KHR_lights_punctual), placed by {@code transform}. */
  record Gltf(String file, Transform transform) implements Shape {
    @Override
    public String material() {
      return null;
    }
  }

  /** A light that is not a surface. Intensities are in radiometric units of the scene's radiance. */
  sealed interface Light permits PointLight, SpotLight, DirectionalLight {}

  /** Radiant intensity {@code color * intensity} in every direction from {@code position}. */
  record PointLight(double[] position, double[] color, double intensity) implements Light {}

  /**
   * A point light shining along {@code direction} within {@code angle} degrees of it, full strength within
   * {@code innerAngle} and fading smoothly to zero between.
   */
  record SpotLight(double[] position, double[] direction, double[] color, double intensity, double angle,
      double innerAngle) implements Light {}

  /** Light from infinitely far away travelling along {@code direction}, with irradiance {@code color * intensity}. */
  record DirectionalLight(double[] direction, double[] color, double intensity) implements Light {}

  /**
   * Parses a builtin scene held in a file (a stored scene's {@code scene.json}), strictly. Relative {@code file}
   * paths are allowed without an {@code assets} location: they resolve against the file's own folder.
   *
   * @throws InvalidJobException naming the field at fault (paths start at {@code scene})
   */
  static Builtin parseBuiltinFile(byte[] json) {
    return Scenes.builtinFile(json);
  }
}
