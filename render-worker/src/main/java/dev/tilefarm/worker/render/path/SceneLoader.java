package dev.tilefarm.worker.render.path;

import dev.tilefarm.schemas.SceneSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns a job's scene description and its files into the tracer's objects: the one place the schema's
 * closed sets (shapes, materials, textures, lights) become implementations. Files are read once per scene
 * and shared: every object naming one OBJ file instances the same meshes, every material naming one image
 * shares one texture.
 */
final class SceneLoader {
  /** A scene ready to render, with the memory its geometry and images hold. */
  record Loaded(Scene scene, Camera camera, long bytes) {}

  private final SceneSpec.Builtin spec;
  private final SceneAssets assets;
  private final Map<String, Texture> images = new HashMap<>();
  private final Map<String, List<ObjLoader.Part>> objFiles = new HashMap<>();
  private final Map<TriangleMesh, Boolean> uniqueMeshes = new IdentityHashMap<>();
  private final List<Primitive> primitives = new ArrayList<>();
  private final List<Light> lights = new ArrayList<>();
  private final List<GltfLoader.CameraDef> gltfCameras = new ArrayList<>();
  private final List<GltfLoader.LightDef> gltfLights = new ArrayList<>();
  private long textureBytes;
  /** Images whose header declares more pixels are refused before they are decoded (decompression bombs). */
  private final long maxTexturePixels;
  /** 8192 x 8192: as floats, 800 MB of texels. */
  static final long DEFAULT_MAX_TEXTURE_PIXELS = 8192L * 8192L;

  /** The frame rendered, or null for a job without frames (glTF files in their rest pose). */
  private final Integer frame;

  private SceneLoader(SceneSpec.Builtin spec, SceneAssets assets, long maxTexturePixels, Integer frame) {
    this.spec = spec;
    this.assets = assets;
    this.maxTexturePixels = maxTexturePixels;
    this.frame = frame;
  }

  static Loaded load(SceneSpec.Builtin spec, SceneAssets assets, int width, int height) {
    return load(spec, assets, width, height, DEFAULT_MAX_TEXTURE_PIXELS);
  }

  static Loaded load(SceneSpec.Builtin spec, SceneAssets assets, int width, int height, long maxTexturePixels) {
    return load(spec, assets, width, height, maxTexturePixels, null);
  }

  /**
   * The scene at frame {@code frame} (null: no frame): its glTF files' animations posed at {@code frame / fps}
   * seconds, its camera on the path of its camera keys ({@link CameraPath}).
   */
  static Loaded load(SceneSpec.Builtin spec, SceneAssets assets, int width, int height, long maxTexturePixels,
      Integer frame) {
    return new SceneLoader(spec, assets, maxTexturePixels, frame).load(width, height);
  }

  /** The scene alone, for tests that trace rays without a camera. */
  static Scene scene(SceneSpec.Builtin spec) {
    return new SceneLoader(spec, SceneAssets.NONE, DEFAULT_MAX_TEXTURE_PIXELS, null).load(64, 64).scene();
  }

  private Loaded load(int width, int height) {
    Map<String, Texture> textures = new LinkedHashMap<>();
    spec.textures().forEach((name, t) -> textures.put(name, texture(t)));
    Map<String, Material> materials = new HashMap<>();
    spec.materials().forEach((name, m) -> materials.put(name, material(m, textures)));
    for (SceneSpec.Shape s : spec.objects()) {
      Material material = s.material() == null ? null : materials.get(s.material());
      if (s.material() != null && material == null) {
        // The decoder checks material names; this guards scenes built without it.
        throw new IllegalArgumentException("object names material '" + s.material() + "', which is not defined");
      }
      add(s, material);
    }
    Accel accel = new Accel(primitives);
    double[] b = accel.bounds();
    double radius = Math.max(1, 0.5 * Math.sqrt(sq(b[3] - b[0]) + sq(b[4] - b[1]) + sq(b[5] - b[2])));
    for (SceneSpec.Light l : spec.lights()) {
      lights.add(light(l, radius));
    }
    for (GltfLoader.LightDef l : gltfLights) {
      lights.add(gltfLight(l, radius));
    }
    EnvironmentLight environment = null;
    long envBytes = 0;
    if (spec.environment() != null) {
      String ref = AssetPaths.resolve(null, spec.environment().file(), false);
      HdrImage map;
      try {
        map = HdrImage.read(assets.read(ref), maxTexturePixels);
      } catch (IllegalArgumentException e) {
        throw new SceneAssetException(ref, e.getMessage(), e);
      }
      environment = EnvironmentLight.map(map, spec.environment().strength(), spec.environment().rotation(), radius);
      envBytes = 20L * map.width * map.height;
    } else if (!rgb(spec.sky()).isBlack()) {
      environment = EnvironmentLight.uniform(rgb(spec.sky()), radius);
    }
    if (environment != null && spec.environment() != null) {
      // A map is importance-sampled. A uniform sky is not: light sampling it uniformly over the sphere only
      // adds noise to what cosine-weighted BSDF sampling already finds (pbrt-v4's MIS compensation), and
      // left out of the lights its hits take full weight.
      lights.add(environment);
    }
    Camera camera = camera(width, height, b);
    long bytes = textureBytes + envBytes + 256L * lights.size() + 128L * primitives.size();
    for (TriangleMesh m : uniqueMeshes.keySet()) {
      bytes += m.bytes();
    }
    return new Loaded(new Scene(accel, lights, environment), camera, bytes);
  }

  private static double sq(double v) {
    return v * v;
  }

  private Camera camera(int width, int height, double[] b) {
    SceneSpec.Camera c = spec.cameraKeys().isEmpty() ? spec.camera() : CameraPath.at(spec.cameraKeys(), frame);
    if (c != null) {
      return new ThinLensCamera(vec(c.position()), vec(c.lookAt()), vec(c.up()), c.fov(), width, height,
          c.aperture(), c.focusDistance());
    }
    if (!gltfCameras.isEmpty()) {
      GltfLoader.CameraDef g = gltfCameras.get(0);
      Vec3 position = g.toWorld().point(Vec3.ZERO);
      Vec3 forward = g.toWorld().vector(new Vec3(0, 0, -1)).normalized();
      Vec3 up = g.toWorld().vector(new Vec3(0, 1, 0));
      double fov = Math.max(1, Math.min(170, g.yfovDegrees()));
      return new ThinLensCamera(position, position.plus(forward), up, fov, width, height, 0, 1);
    }
    // No camera anywhere: look at the middle of the scene from the front (+z), far enough to see all of it.
    Vec3 center = new Vec3((b[0] + b[3]) / 2, (b[1] + b[4]) / 2, (b[2] + b[5]) / 2);
    double r = Math.max(1e-3, 0.5 * Math.sqrt(sq(b[3] - b[0]) + sq(b[4] - b[1]) + sq(b[5] - b[2])));
    double fov = 40;
    double distance = 1.1 * r / StrictMath.sin(Math.toRadians(fov / 2)) * Math.max(1, (double) height / width);
    Vec3 position = center.plus(new Vec3(0, 0.35 * distance, distance));
    return new ThinLensCamera(position, center, new Vec3(0, 1, 0), fov, width, height, 0, 1);
  }

  private void add(SceneSpec.Shape s, Material material) {
    switch (s) {
      case SceneSpec.Sphere sp -> {
        Sphere sphere = new Sphere(vec(sp.center()), sp.radius());
        Light light = null;
        if (material.maxEmission() > 0 && (material instanceof EmissiveMaterial
            || (material instanceof PbrMaterial p && p.emissiveTexture() == null))) {
          light = new SphereLight(sphere, material.emission(0, 0));
          lights.add(light);
        }
        primitives.add(new Primitive.SpherePrim(sphere, material, light));
      }
      case SceneSpec.Plane p ->
          primitives.add(new Primitive.PlanePrim(new Plane(vec(p.point()), vec(p.normal()).normalized()), material));
      case SceneSpec.Quad q -> {
        double[] pos = new double[12];
        for (int a = 0; a < 3; a++) {
          pos[a] = q.corner()[a];
          pos[3 + a] = q.corner()[a] + q.edge1()[a];
          pos[6 + a] = q.corner()[a] + q.edge1()[a] + q.edge2()[a];
          pos[9 + a] = q.corner()[a] + q.edge2()[a];
        }
        TriangleMesh mesh = new TriangleMesh(pos, new int[] {0, 1, 2, 0, 2, 3}, null, new double[] {0, 0, 1, 0, 1, 1, 0, 1});
        place(mesh, Transform.IDENTITY, material);
      }
      case SceneSpec.Box box -> place(box(box.min(), box.max()), Transform.of(box.transform()), material);
      case SceneSpec.Mesh m -> {
        Transform xf = Transform.of(m.transform());
        if (m.file() == null) {
          place(new TriangleMesh(m.positions(), m.indices(), m.normals(), m.uvs()), xf, material);
        } else {
          String ref = AssetPaths.resolve(null, m.file(), false);
          List<ObjLoader.Part> parts = objFiles.computeIfAbsent(ref + "\n" + m.material(),
              k -> ObjLoader.load(ref, assets.read(ref), assets, material, (r, srgb) -> image(r, srgb, false)));
          for (ObjLoader.Part part : parts) {
            place(part.mesh(), xf, part.material());
          }
        }
      }
      case SceneSpec.Gltf g -> {
        String ref = AssetPaths.resolve(null, g.file(), false);
        GltfLoader.Loaded loaded = GltfLoader.load(ref, assets.read(ref), assets,
            (bytes, srgb, what) -> decode(bytes, srgb, true, ref + " " + what),
            frame == null ? null : frame / spec.fps());
        Transform xf = Transform.of(g.transform());
        for (GltfLoader.Placed p : loaded.meshes()) {
          place(p.mesh(), p.toFile().then(xf), p.material());
        }
        for (GltfLoader.CameraDef c : loaded.cameras()) {
          gltfCameras.add(new GltfLoader.CameraDef(c.toWorld().then(xf), c.yfovDegrees()));
        }
        for (GltfLoader.LightDef l : loaded.lights()) {
          gltfLights.add(new GltfLoader.LightDef(l.type(), l.toWorld().then(xf), l.intensity(), l.cosOuter(), l.cosInner()));
        }
      }
    }
  }

  /** Adds an instance of {@code mesh}, with one light per triangle if its material emits. */
  private void place(TriangleMesh mesh, Transform toWorld, Material material) {
    uniqueMeshes.put(mesh, Boolean.TRUE);
    Light[] triangleLights = null;
    if (material.maxEmission() > 0) {
      triangleLights = new Light[mesh.triangleCount];
      double[] pos = mesh.positions;
      for (int t = 0; t < mesh.triangleCount; t++) {
        int i0 = mesh.vertex(t, 0);
        int i1 = mesh.vertex(t, 1);
        int i2 = mesh.vertex(t, 2);
        Vec3 p0 = new Vec3(pos[3 * i0], pos[3 * i0 + 1], pos[3 * i0 + 2]);
        Vec3 p1 = new Vec3(pos[3 * i1], pos[3 * i1 + 1], pos[3 * i1 + 2]);
        Vec3 p2 = new Vec3(pos[3 * i2], pos[3 * i2 + 1], pos[3 * i2 + 2]);
        // The front as Accel reports it: the winding normal, turned toward the vertex normals if they disagree.
        Vec3 n = toWorld.normal(p1.minus(p0).cross(p2.minus(p0)));
        if (mesh.normals != null) {
          double[] nn = mesh.normals;
          Vec3 avg = toWorld.normal(new Vec3(nn[3 * i0] + nn[3 * i1] + nn[3 * i2],
              nn[3 * i0 + 1] + nn[3 * i1 + 1] + nn[3 * i2 + 1], nn[3 * i0 + 2] + nn[3 * i1 + 2] + nn[3 * i2 + 2]));
          if (avg.dot(n) < 0) {
            n = n.negate();
          }
        }
        if (!(n.lengthSquared() > 0)) {
          continue;
        }
        double[] uv = new double[6];
        if (mesh.uvs != null) {
          uv = new double[] {mesh.uvs[2 * i0], mesh.uvs[2 * i0 + 1], mesh.uvs[2 * i1], mesh.uvs[2 * i1 + 1],
              mesh.uvs[2 * i2], mesh.uvs[2 * i2 + 1]};
        } else {
          uv = new double[] {0, 0, 1, 0, 0, 1};
        }
        TriangleLight light = new TriangleLight(toWorld.point(p0), toWorld.point(p1), toWorld.point(p2), n.normalized(),
            uv, material);
        triangleLights[t] = light;
        lights.add(light);
      }
    }
    primitives.add(new Primitive.Instance(mesh, toWorld, material, triangleLights));
  }

  private static TriangleMesh box(double[] lo, double[] hi) {
    double dx = hi[0] - lo[0];
    double dy = hi[1] - lo[1];
    double dz = hi[2] - lo[2];
    // Each face as corner + edge1, edge2 with edge1 x edge2 pointing out of the box.
    double[][] faces = {
        {lo[0], lo[1], lo[2], 0, 0, dz, 0, dy, 0},
        {hi[0], lo[1], lo[2], 0, dy, 0, 0, 0, dz},
        {lo[0], lo[1], lo[2], dx, 0, 0, 0, 0, dz},
        {lo[0], hi[1], lo[2], 0, 0, dz, dx, 0, 0},
        {lo[0], lo[1], lo[2], 0, dy, 0, dx, 0, 0},
        {lo[0], lo[1], hi[2], dx, 0, 0, 0, dy, 0}};
    double[] pos = new double[6 * 12];
    double[] uvs = new double[6 * 8];
    int[] idx = new int[6 * 6];
    for (int f = 0; f < 6; f++) {
      double[] q = faces[f];
      for (int a = 0; a < 3; a++) {
        pos[12 * f + a] = q[a];
        pos[12 * f + 3 + a] = q[a] + q[3 + a];
        pos[12 * f + 6 + a] = q[a] + q[3 + a] + q[6 + a];
        pos[12 * f + 9 + a] = q[a] + q[6 + a];
      }
      System.arraycopy(new double[] {0, 0, 1, 0, 1, 1, 0, 1}, 0, uvs, 8 * f, 8);
      int v = 4 * f;
      System.arraycopy(new int[] {v, v + 1, v + 2, v, v + 2, v + 3}, 0, idx, 6 * f, 6);
    }
    return new TriangleMesh(pos, idx, null, uvs);
  }

  private Texture texture(SceneSpec.Texture t) {
    return switch (t) {
      case SceneSpec.Checker c -> new CheckerTexture(rgb(c.color1()), rgb(c.color2()), c.scale());
      case SceneSpec.ImageTexture i -> image(AssetPaths.resolve(null, i.file(), false), i.srgb(), false);
    };
  }

  /** The image at a resolved reference as a texture, read and decoded once per colour space. */
  private Texture image(String ref, boolean srgb, boolean topDown) {
    String key = (srgb ? "s" : "l") + (topDown ? "t" : "b") + ref;
    Texture cached = images.get(key);
    if (cached == null) {
      cached = decode(assets.read(ref), srgb, topDown, ref);
      images.put(key, cached);
    }
    return cached;
  }

  /** Decodes an image, after reading its size from its header: one over the cap is refused undecoded. */
  private Texture decode(byte[] bytes, boolean srgb, boolean topDown, String what) {
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new SceneAssetException(what, "is not a PNG or JPEG image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if ((long) width * height > maxTexturePixels) {
          throw new SceneAssetException(what, "is a " + width + "x" + height + " = " + (long) width * height
              + " pixel image; a scene's images may have at most " + maxTexturePixels
              + " pixels (worker.max-texture-pixels)");
        }
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof SceneAssetException s) {
        throw s;
      }
      throw new SceneAssetException(what, "is not a readable image: " + e.getMessage(), e);
    }
    ImageTexture texture = new ImageTexture(img, srgb, topDown);
    textureBytes += texture.bytes();
    return texture;
  }

  static Material material(SceneSpec.Material spec, Map<String, Texture> textures) {
    return switch (spec) {
      case SceneSpec.Diffuse d -> new DiffuseMaterial(rgb(d.color()), d.texture() == null ? null : textures.get(d.texture()));
      case SceneSpec.Emissive e -> new EmissiveMaterial(rgb(e.color()).times(e.strength()));
      case SceneSpec.Conductor c -> new ConductorMaterial(rgb(c.color()), c.roughness());
      case SceneSpec.Dielectric d -> new DielectricMaterial(d.ior(), rgb(d.color()));
      case SceneSpec.Pbr p -> new PbrMaterial(rgb(p.baseColor()), tex(p.baseColorTexture(), textures), p.metallic(),
          p.roughness(), tex(p.metallicRoughnessTexture(), textures), tex(p.normalTexture(), textures), 1,
          rgb(p.emission()).times(p.emissionStrength()), tex(p.emissiveTexture(), textures));
    };
  }

  private static Texture tex(String name, Map<String, Texture> textures) {
    return name == null ? null : textures.get(name);
  }

  private static Light light(SceneSpec.Light spec, double radius) {
    return switch (spec) {
      case SceneSpec.PointLight p -> new PointLight(vec(p.position()), rgb(p.color()).times(p.intensity()));
      case SceneSpec.SpotLight s -> new PointLight(vec(s.position()), rgb(s.color()).times(s.intensity()),
          vec(s.direction()).normalized(), StrictMath.cos(Math.toRadians(s.angle())),
          spotInner(s.angle(), s.innerAngle()));
      case SceneSpec.DirectionalLight d ->
          new DirectionalLight(vec(d.direction()).normalized(), rgb(d.color()).times(d.intensity()), radius);
    };
  }

  /** A colour of the scene description, {@code [r, g, b]} (linear). */
  private static Rgb rgb(double[] c) {
    return new Rgb(c[0], c[1], c[2]);
  }

  /** A point or direction of the scene description, {@code [x, y, z]} (world space). */
  private static Vec3 vec(double[] v) {
    return new Vec3(v[0], v[1], v[2]);
  }

  private static double spotInner(double outer, double inner) {
    double cosOuter = StrictMath.cos(Math.toRadians(outer));
    double cosInner = StrictMath.cos(Math.toRadians(inner));
    return cosInner > cosOuter ? cosInner : Math.nextUp(cosOuter);
  }

  private static Light gltfLight(GltfLoader.LightDef l, double radius) {
    Vec3 position = l.toWorld().point(Vec3.ZERO);
    Vec3 direction = l.toWorld().vector(new Vec3(0, 0, -1)).normalized();
    switch (l.type()) {
      case "point":
        return new PointLight(position, l.intensity());
      case "spot":
        return new PointLight(position, l.intensity(), direction, l.cosOuter(), l.cosInner());
      default:
        return new DirectionalLight(direction, l.intensity(), radius);
    }
  }
}
