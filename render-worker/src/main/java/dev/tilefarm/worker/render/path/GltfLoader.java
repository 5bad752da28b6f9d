package dev.tilefarm.worker.render.path;

import de.javagl.jgltf.model.AccessorByteData;
import de.javagl.jgltf.model.AccessorData;
import de.javagl.jgltf.model.AccessorIntData;
import de.javagl.jgltf.model.AccessorModel;
import de.javagl.jgltf.model.AccessorShortData;
import de.javagl.jgltf.model.CameraModel;
import de.javagl.jgltf.model.GltfModel;
import de.javagl.jgltf.model.GltfModels;
import de.javagl.jgltf.model.MaterialModel;
import de.javagl.jgltf.model.MeshModel;
import de.javagl.jgltf.model.MeshPrimitiveModel;
import de.javagl.jgltf.model.NodeModel;
import de.javagl.jgltf.model.SceneModel;
import de.javagl.jgltf.model.TextureModel;
import de.javagl.jgltf.model.io.GltfAsset;
import de.javagl.jgltf.model.io.GltfAssetReader;
import de.javagl.jgltf.model.io.GltfReference;
import de.javagl.jgltf.model.v2.MaterialModelV2;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a glTF 2.0 file ({@code .gltf} with its buffers and images, or {@code .glb}) with de.javagl:jgltf-model
 * and flattens its default scene: every mesh primitive placed by its node's global transform (primitives
 * used by several nodes share one {@link TriangleMesh}), the metallic-roughness materials with their
 * base-colour, metallic-roughness, normal and emissive textures (and KHR_materials_emissive_strength),
 * perspective cameras, and KHR_lights_punctual lights.
 *
 * <p>Refused, naming the feature: extensions the file requires that are not those two, points and lines,
 * morph targets, skins, orthographic cameras and textures on a second uv set. Alpha (BLEND, MASK) is
 * ignored: surfaces render opaque. Light intensities are photometric in glTF (candela, lux) and are divided
 * by 683 lm/W, the convention Blender's exporter uses, to get the tracer's radiometric units.
 */
final class GltfLoader {
  static final Set<String> SUPPORTED_REQUIRED = Set.of("KHR_lights_punctual", "KHR_materials_emissive_strength");
  private static final double LUMENS_PER_WATT = 683;

  /** A mesh primitive placed in the file's space. */
  record Placed(TriangleMesh mesh, Transform toFile, Material material) {}

  /** A perspective camera: its node's transform (looking down -z, up +y) and vertical field of view. */
  record CameraDef(Transform toWorld, double yfovDegrees) {}

  /** A KHR_lights_punctual light: "point", "spot" or "directional", radiometric intensity, cone cosines for spots. */
  record LightDef(String type, Transform toWorld, Rgb intensity, double cosOuter, double cosInner) {}

  record Loaded(List<Placed> meshes, List<CameraDef> cameras, List<LightDef> lights) {}

  /** Decodes an embedded or referenced image into a texture (top row at v = 0, as glTF has it). */
  @FunctionalInterface
  interface Images {
    Texture decode(byte[] bytes, boolean srgb, String what);
  }

  private GltfLoader() {}

  static Loaded load(String ref, byte[] data, SceneAssets assets, Images decodeImage) {
    return load(ref, data, assets, decodeImage, null);
  }

  /**
   * As {@link #load(String, byte[], SceneAssets, Images)}, with the file's animations posed at {@code seconds}
   * ({@link GltfAnimation}); null: the nodes as the file places them (the rest pose).
   */
  static Loaded load(String ref, byte[] data, SceneAssets assets, Images decodeImage, Double seconds) {
    GltfAsset asset;
    try {
      asset = new GltfAssetReader().readWithoutReferences(new ByteArrayInputStream(data));
    } catch (Exception e) {
      throw new SceneAssetException(ref, "is not a readable glTF file: " + e.getMessage(), e);
    }
    if (asset == null || !(asset.getGltf() instanceof de.javagl.jgltf.impl.v2.GlTF gltf)) {
      throw new SceneAssetException(ref, "is not glTF 2.0 (glTF 1.0 is not supported)");
    }
    for (GltfReference r : asset.getReferences()) {
      String resolved = AssetPaths.resolve(ref, r.getUri(), true);
      // glTF binary data is little-endian; a wrapped array would read big-endian.
      r.getTarget().accept(ByteBuffer.wrap(assets.read(resolved)).order(java.nio.ByteOrder.LITTLE_ENDIAN));
    }
    GltfBounds.check(ref, gltf, asset);
    GltfModel model;
    try {
      model = GltfModels.create(asset);
    } catch (RuntimeException e) {
      throw new SceneAssetException(ref, "is not a valid glTF file: " + e.getMessage(), e);
    }
    if (seconds != null) {
      GltfAnimation.pose(ref, model, seconds);
    }
    List<String> required = model.getExtensionsModel().getExtensionsRequired();
    if (required != null) {
      for (String ext : required) {
        if (!SUPPORTED_REQUIRED.contains(ext)) {
          throw new SceneAssetException(ref, "requires the glTF extension " + ext + ", which is not supported"
              + " (supported: " + String.join(", ", new java.util.TreeSet<>(SUPPORTED_REQUIRED)) + ")");
        }
      }
    }
    List<NodeModel> roots;
    List<SceneModel> scenes = model.getSceneModels();
    if (!scenes.isEmpty()) {
      int index = gltf.getScene() == null ? 0 : gltf.getScene();
      if (index < 0 || index >= scenes.size()) {
        throw new SceneAssetException(ref, "names scene " + index + " of " + scenes.size() + " as its default");
      }
      roots = scenes.get(index).getNodeModels();
    } else {
      roots = new ArrayList<>();
      for (NodeModel n : model.getNodeModels()) {
        if (n.getParent() == null) {
          roots.add(n);
        }
      }
    }
    Builder b = new Builder(ref, model, decodeImage);
    for (NodeModel root : roots) {
      b.visit(root, 0);
    }
    if (b.meshes.isEmpty()) {
      throw new SceneAssetException(ref, "has no triangle meshes in its default scene");
    }
    return new Loaded(b.meshes, b.cameras, b.lights);
  }

  private static final class Builder {
    private final String ref;
    private final GltfModel model;
    private final Images decodeImage;
    private final Map<MeshPrimitiveModel, TriangleMesh> meshCache = new IdentityHashMap<>();
    private final Map<MaterialModel, Material> materialCache = new IdentityHashMap<>();
    private final Map<TextureModel, Texture> textureCache = new IdentityHashMap<>();
    private final Map<TextureModel, Texture> linearTextureCache = new IdentityHashMap<>();
    final List<Placed> meshes = new ArrayList<>();
    final List<CameraDef> cameras = new ArrayList<>();
    final List<LightDef> lights = new ArrayList<>();

    Builder(String ref, GltfModel model, Images decodeImage) {
      this.ref = ref;
      this.model = model;
      this.decodeImage = decodeImage;
    }

    void visit(NodeModel node, int depth) {
      if (depth > 256) {
        throw new SceneAssetException(ref, "has a node hierarchy deeper than 256 (or a cycle)");
      }
      String name = label("node", model.getNodeModels().indexOf(node), node.getName());
      if (node.getSkinModel() != null) {
        throw new SceneAssetException(ref, name + " is skinned; skins (skeletal animation) are not supported");
      }
      Transform toFile = Transform.fromColumnMajor(node.computeGlobalTransform(null));
      for (MeshModel mesh : node.getMeshModels()) {
        List<MeshPrimitiveModel> prims = mesh.getMeshPrimitiveModels();
        for (int i = 0; i < prims.size(); i++) {
          MeshPrimitiveModel p = prims.get(i);
          String where = label("mesh", model.getMeshModels().indexOf(mesh), mesh.getName()) + " primitive " + i;
          TriangleMesh tm = meshCache.get(p);
          if (tm == null) {
            tm = triangles(p, where);
            meshCache.put(p, tm);
          }
          meshes.add(new Placed(tm, toFile, material(p.getMaterialModel(), where)));
        }
      }
      CameraModel camera = node.getCameraModel();
      if (camera != null) {
        if (camera.getCameraPerspectiveModel() == null) {
          throw new SceneAssetException(ref, label("camera", model.getCameraModels().indexOf(camera), camera.getName())
              + " is orthographic; only perspective cameras are supported");
        }
        cameras.add(new CameraDef(toFile, Math.toDegrees(camera.getCameraPerspectiveModel().getYfov())));
      }
      Object lightExt = node.getExtensions() == null ? null : node.getExtensions().get("KHR_lights_punctual");
      if (lightExt instanceof Map<?, ?> m && m.get("light") instanceof Number index) {
        lights.add(light(index.intValue(), toFile, name));
      }
      for (NodeModel child : node.getChildren()) {
        visit(child, depth + 1);
      }
    }

    private LightDef light(int index, Transform toFile, String node) {
      Object ext = model.getExtensions() == null ? null : model.getExtensions().get("KHR_lights_punctual");
      List<?> defs = ext instanceof Map<?, ?> m && m.get("lights") instanceof List<?> l ? l : List.of();
      if (index < 0 || index >= defs.size() || !(defs.get(index) instanceof Map<?, ?> def)) {
        throw new SceneAssetException(ref, node + " uses KHR_lights_punctual light " + index + ", which is not defined");
      }
      String type = String.valueOf(def.get("type"));
      Rgb color = Rgb.WHITE;
      if (def.get("color") instanceof List<?> c && c.size() == 3) {
        color = new Rgb(number(c.get(0), 1), number(c.get(1), 1), number(c.get(2), 1));
      }
      double intensity = number(def.get("intensity"), 1) / LUMENS_PER_WATT;
      Rgb i = color.times(intensity);
      switch (type) {
        case "point":
        case "directional":
          return new LightDef(type, toFile, i, -2, -1);
        case "spot": {
          double inner = 0;
          double outer = Math.PI / 4;
          if (def.get("spot") instanceof Map<?, ?> spot) {
            inner = number(spot.get("innerConeAngle"), 0);
            outer = number(spot.get("outerConeAngle"), Math.PI / 4);
          }
          double cosOuter = StrictMath.cos(outer);
          double cosInner = StrictMath.cos(Math.min(inner, outer));
          if (cosInner <= cosOuter) {
            cosInner = Math.nextUp(cosOuter);
          }
          return new LightDef(type, toFile, i, cosOuter, cosInner);
        }
        default:
          throw new SceneAssetException(ref, "KHR_lights_punctual light " + index + " has unknown type '" + type + "'");
      }
    }

    private static double number(Object o, double fallback) {
      return o instanceof Number n ? n.doubleValue() : fallback;
    }

    private TriangleMesh triangles(MeshPrimitiveModel p, String where) {
      int mode = p.getMode();
      if (mode < 4 || mode > 6) {
        throw new SceneAssetException(ref, where + " draws " + (mode == 0 ? "points" : "lines")
            + "; only triangles (and strips and fans) can be rendered");
      }
      if (p.getTargets() != null && !p.getTargets().isEmpty()) {
        throw new SceneAssetException(ref, where + " has morph targets, which are not supported");
      }
      Map<String, AccessorModel> attributes = p.getAttributes();
      AccessorModel position = attributes.get("POSITION");
      if (position == null) {
        throw new SceneAssetException(ref, where + " has no POSITION attribute");
      }
      int count = position.getCount();
      double[] positions = floats(position, 3, where + " POSITION");
      double[] normals = attributes.containsKey("NORMAL") ? floats(attributes.get("NORMAL"), 3, where + " NORMAL") : null;
      double[] uvs = attributes.containsKey("TEXCOORD_0")
          ? floats(attributes.get("TEXCOORD_0"), 2, where + " TEXCOORD_0") : null;
      int[] order;
      if (p.getIndices() != null) {
        AccessorData idx = p.getIndices().getAccessorData();
        order = new int[p.getIndices().getCount()];
        for (int i = 0; i < order.length; i++) {
          order[i] = integer(idx, i);
          if (order[i] < 0 || order[i] >= count) {
            throw new SceneAssetException(ref, where + " index " + i + " is " + order[i] + ", outside its "
                + count + " vertices");
          }
        }
      } else {
        order = new int[count];
        for (int i = 0; i < count; i++) {
          order[i] = i;
        }
      }
      int[] indices = triangulate(order, mode);
      if (indices.length == 0) {
        throw new SceneAssetException(ref, where + " has no triangles");
      }
      return new TriangleMesh(positions, indices, normals, uvs);
    }

    private static int[] triangulate(int[] v, int mode) {
      if (mode == 4) {
        return java.util.Arrays.copyOf(v, v.length - v.length % 3);
      }
      int n = Math.max(0, v.length - 2);
      int[] out = new int[3 * n];
      for (int i = 0; i < n; i++) {
        if (mode == 5) {
          // Strips alternate winding; swapping every other triangle keeps them all facing one way.
          boolean even = (i & 1) == 0;
          out[3 * i] = v[i];
          out[3 * i + 1] = even ? v[i + 1] : v[i + 2];
          out[3 * i + 2] = even ? v[i + 2] : v[i + 1];
        } else {
          out[3 * i] = v[0];
          out[3 * i + 1] = v[i + 1];
          out[3 * i + 2] = v[i + 2];
        }
      }
      return out;
    }

    private double[] floats(AccessorModel a, int components, String what) {
      return GltfAccessors.doubles(ref, what, a, components, true);
    }

    private int integer(AccessorData d, int i) {
      if (d instanceof AccessorIntData x) {
        long v = x.getLong(i);
        return v > Integer.MAX_VALUE ? -1 : (int) v;
      } else if (d instanceof AccessorShortData s) {
        return s.getInt(i);
      } else if (d instanceof AccessorByteData b) {
        return b.getInt(i);
      }
      throw new SceneAssetException(ref, "indices of an unsupported component type");
    }

    private Material material(MaterialModel m, String where) {
      if (m == null) {
        // The glTF default material: white, fully metallic, fully rough.
        return new PbrMaterial(Rgb.WHITE, null, 1, 1, null, null, 1, Rgb.BLACK, null);
      }
      Material cached = materialCache.get(m);
      if (cached != null) {
        return cached;
      }
      if (!(m instanceof MaterialModelV2 v2)) {
        throw new SceneAssetException(ref, where + " uses a material that is not glTF 2.0 metallic-roughness");
      }
      String name = label("material", model.getMaterialModels().indexOf(m), m.getName());
      float[] base = v2.getBaseColorFactor();
      float[] emissive = v2.getEmissiveFactor();
      double strength = 1;
      Object ext = v2.getExtensions() == null ? null : v2.getExtensions().get("KHR_materials_emissive_strength");
      if (ext instanceof Map<?, ?> e && e.get("emissiveStrength") instanceof Number s) {
        strength = s.doubleValue();
      }
      Material made = new PbrMaterial(
          base == null ? Rgb.WHITE : new Rgb(base[0], base[1], base[2]),
          texture(v2.getBaseColorTexture(), v2.getBaseColorTexcoord(), true, name + " baseColorTexture"),
          v2.getMetallicFactor(), v2.getRoughnessFactor(),
          texture(v2.getMetallicRoughnessTexture(), v2.getMetallicRoughnessTexcoord(), false,
              name + " metallicRoughnessTexture"),
          texture(v2.getNormalTexture(), v2.getNormalTexcoord(), false, name + " normalTexture"),
          v2.getNormalScale(),
          emissive == null ? Rgb.BLACK : new Rgb(emissive[0], emissive[1], emissive[2]).times(strength),
          texture(v2.getEmissiveTexture(), v2.getEmissiveTexcoord(), true, name + " emissiveTexture"));
      materialCache.put(m, made);
      return made;
    }

    private Texture texture(TextureModel t, Integer texCoord, boolean srgb, String what) {
      if (t == null) {
        return null;
      }
      if (texCoord != null && texCoord != 0) {
        throw new SceneAssetException(ref, what + " uses uv set " + texCoord + "; only TEXCOORD_0 is supported");
      }
      Map<TextureModel, Texture> cache = srgb ? textureCache : linearTextureCache;
      Texture cached = cache.get(t);
      if (cached != null) {
        return cached;
      }
      if (t.getImageModel() == null || t.getImageModel().getImageData() == null) {
        throw new SceneAssetException(ref, what + " has no image data (an unsupported image extension?)");
      }
      ByteBuffer buf = t.getImageModel().getImageData().duplicate();
      byte[] bytes = new byte[buf.remaining()];
      buf.get(bytes);
      Texture made = decodeImage.decode(bytes, srgb, what);
      cache.put(t, made);
      return made;
    }

    private static String label(String kind, int index, String name) {
      return kind + " " + index + (name == null || name.isEmpty() ? "" : " ('" + name + "')");
    }
  }
}
