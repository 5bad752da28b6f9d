package dev.tilefarm.worker.render.path;

import de.javagl.jgltf.model.AccessorByteData;
import de.javagl.jgltf.model.AccessorData;
import de.javagl.jgltf.model.AccessorFloatData;
import de.javagl.jgltf.model.AccessorModel;
import de.javagl.jgltf.model.AccessorShortData;

/** Reading a glTF accessor's values as doubles, shared by {@link GltfLoader} (geometry) and {@link GltfAnimation}. */
final class GltfAccessors {
  private GltfAccessors() {
  }

  /**
   * An accessor's values as doubles, {@code components} per element: floats, normalised integers, and, if
   * {@code plainIntegers} (geometry allows them, animation samplers do not), integers as they are.
   */
  static double[] doubles(String ref, String what, AccessorModel accessor, int components, boolean plainIntegers) {
    AccessorData d = accessor.getAccessorData();
    if (d.getNumComponentsPerElement() != components) {
      throw new SceneAssetException(ref, what + " has " + d.getNumComponentsPerElement() + " components, expected "
          + components);
    }
    boolean normalized = accessor.isNormalized();
    int n = d.getNumElements();
    double[] out = new double[n * components];
    for (int e = 0; e < n; e++) {
      for (int c = 0; c < components; c++) {
        double v;
        if (d instanceof AccessorFloatData f) {
          v = f.get(e, c);
        } else if (d instanceof AccessorShortData s && (normalized || plainIntegers)) {
          v = normalized ? (s.isUnsigned() ? s.getInt(e, c) / 65535.0 : Math.max(-1, s.get(e, c) / 32767.0))
              : s.getInt(e, c);
        } else if (d instanceof AccessorByteData b && (normalized || plainIntegers)) {
          v = normalized ? (b.isUnsigned() ? b.getInt(e, c) / 255.0 : Math.max(-1, b.get(e, c) / 127.0))
              : b.getInt(e, c);
        } else {
          throw new SceneAssetException(ref, what + (plainIntegers ? " has an unsupported component type"
              : " is neither floats nor normalised integers"));
        }
        if (!Double.isFinite(v)) {
          throw new SceneAssetException(ref, what + " holds a value that is not finite");
        }
        out[e * components + c] = v;
      }
    }
    return out;
  }
}
