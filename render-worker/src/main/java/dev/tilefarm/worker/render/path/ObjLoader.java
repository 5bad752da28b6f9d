package dev.tilefarm.worker.render.path;

import de.javagl.obj.FloatTuple;
import de.javagl.obj.Mtl;
import de.javagl.obj.MtlReader;
import de.javagl.obj.Obj;
import de.javagl.obj.ObjData;
import de.javagl.obj.ObjReader;
import de.javagl.obj.ObjSplitting;
import de.javagl.obj.ObjUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Wavefront OBJ mesh and its MTL materials with de.javagl:obj. Faces are triangulated, split by
 * material group, and each group becomes one {@link TriangleMesh}. MTL maps onto the tracer's materials:
 * {@code Ke} (with {@code map_Ke}) emits; {@code d < 1} or {@code illum} 4, 6, 7 with {@code Ni} is glass;
 * the PBR extension's {@code Pm}/{@code Pr} (with {@code map_Kd}) is the metallic-roughness model; a black
 * {@code Kd} with a bright {@code Ks} is a metal of roughness from {@code Ns}; anything else is diffuse
 * {@code Kd} times {@code map_Kd}.
 */
final class ObjLoader {
  /** One material group of the file. */
  record Part(TriangleMesh mesh, Material material) {}

  private ObjLoader() {}

  /**
   * @param override the scene's material for every face, or null to use the file's MTL materials
   * @param textures loads a texture by resolved reference (shared with the rest of the scene)
   */
  static List<Part> load(String ref, byte[] data, SceneAssets assets, Material override,
      java.util.function.BiFunction<String, Boolean, Texture> textures) {
    Obj obj;
    try {
      obj = ObjReader.read(new ByteArrayInputStream(data));
    } catch (IOException | RuntimeException e) {
      throw new SceneAssetException(ref, "is not a readable OBJ file: " + e.getMessage(), e);
    }
    if (obj.getNumFaces() == 0) {
      throw new SceneAssetException(ref, "has no faces");
    }
    Map<String, Material> materials = new HashMap<>();
    if (override == null) {
      for (String mtlName : obj.getMtlFileNames()) {
        String mtlRef = AssetPaths.resolve(ref, mtlName, false);
        List<Mtl> mtls;
        try {
          mtls = MtlReader.read(new ByteArrayInputStream(assets.read(mtlRef)));
        } catch (IOException | RuntimeException e) {
          if (e instanceof SceneAssetException s) {
            throw s;
          }
          throw new SceneAssetException(mtlRef, "is not a readable MTL file: " + e.getMessage(), e);
        }
        for (Mtl m : mtls) {
          materials.put(m.getName(), material(mtlRef, m, textures));
        }
      }
    }
    Material fallback = override != null ? override : new DiffuseMaterial(new Rgb(0.8, 0.8, 0.8));
    List<Part> parts = new ArrayList<>();
    try {
      if (override != null || obj.getNumMaterialGroups() == 0) {
        parts.add(new Part(mesh(ref, obj), fallback));
      } else {
        // Faces outside every material group would be dropped by the split; OBJ gives them the default material.
        Map<String, Obj> groups = ObjSplitting.splitByMaterialGroups(obj);
        int grouped = 0;
        for (Map.Entry<String, Obj> e : new java.util.TreeMap<>(groups).entrySet()) {
          Material m = materials.get(e.getKey());
          if (m == null) {
            throw new SceneAssetException(ref, "uses material '" + e.getKey() + "', which no MTL file defines"
                + (obj.getMtlFileNames().isEmpty() ? " (it names no mtllib)" : " (mtllib: "
                + String.join(", ", obj.getMtlFileNames()) + ")"));
          }
          grouped += e.getValue().getNumFaces();
          parts.add(new Part(mesh(ref, e.getValue()), m));
        }
        if (grouped < obj.getNumFaces()) {
          throw new SceneAssetException(ref, (obj.getNumFaces() - grouped)
              + " faces come before any usemtl; give them a material or set the object's material");
        }
      }
    } catch (SceneAssetException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SceneAssetException(ref, "has inconsistent faces: " + e.getMessage(), e);
    }
    return parts;
  }

  private static TriangleMesh mesh(String ref, Obj group) {
    Obj obj = ObjUtils.convertToRenderable(group);
    int[] indices = ObjData.getFaceVertexIndicesArray(obj, 3);
    double[] positions = toDouble(ObjData.getVerticesArray(obj));
    float[] n = ObjData.getNormalsArray(obj);
    float[] uv = ObjData.getTexCoordsArray(obj, 2);
    int vertices = positions.length / 3;
    double[] normals = n.length == positions.length ? toDouble(n) : null;
    double[] uvs = uv.length == 2 * vertices ? toDouble(uv) : null;
    if (indices.length == 0) {
      throw new SceneAssetException(ref, "has a material group without triangles");
    }
    return new TriangleMesh(positions, indices, normals, uvs);
  }

  private static Material material(String mtlRef, Mtl m,
      java.util.function.BiFunction<String, Boolean, Texture> textures) {
    Rgb kd = rgb(m.getKd(), new Rgb(0.8, 0.8, 0.8));
    Rgb ke = rgb(m.getKe(), Rgb.BLACK);
    Texture mapKd = m.getMapKd() == null ? null : textures.apply(AssetPaths.resolve(mtlRef, m.getMapKd(), false), true);
    Texture mapKe = m.getMapKe() == null ? null : textures.apply(AssetPaths.resolve(mtlRef, m.getMapKe(), false), true);
    if (!ke.isBlack()) {
      return new PbrMaterial(clamp(kd), mapKd, 0, 1, null, null, 1, ke, mapKe);
    }
    Integer illum = m.getIllum();
    float d = m.getD() == null ? 1 : m.getD();
    boolean glass = d < 1 || (illum != null && (illum == 4 || illum == 6 || illum == 7));
    if (glass) {
      double ior = m.getNi() == null ? 1.5 : Math.max(1, Math.min(3, m.getNi()));
      return new DielectricMaterial(ior, clamp(rgb(m.getTf(), Rgb.WHITE)));
    }
    if (m.getPm() != null || m.getPr() != null) {
      double metallic = m.getPm() == null ? 0 : clamp01(m.getPm());
      double roughness = m.getPr() == null ? 0.5 : clamp01(m.getPr());
      return new PbrMaterial(clamp(kd), mapKd, metallic, roughness, null, null, 1, Rgb.BLACK, null);
    }
    Rgb ks = rgb(m.getKs(), Rgb.BLACK);
    if (kd.max() < 0.01 && ks.max() > 0.1) {
      // Phong exponent to roughness: alpha^2 = 2 / (Ns + 2), roughness = sqrt(alpha).
      double ns = m.getNs() == null ? 100 : Math.max(0, m.getNs());
      double roughness = Math.sqrt(Math.sqrt(2 / (ns + 2)));
      return new ConductorMaterial(clamp(ks), roughness);
    }
    return new DiffuseMaterial(clamp(kd), mapKd);
  }

  private static double clamp01(double v) {
    return Math.max(0, Math.min(1, v));
  }

  private static Rgb clamp(Rgb c) {
    return new Rgb(clamp01(c.r()), clamp01(c.g()), clamp01(c.b()));
  }

  private static Rgb rgb(FloatTuple t, Rgb fallback) {
    if (t == null || t.getDimensions() < 3) {
      return fallback;
    }
    return new Rgb(t.getX(), t.getY(), t.getZ());
  }

  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
