package dev.tilefarm.worker.render.path;

import de.javagl.jgltf.impl.v2.Accessor;
import de.javagl.jgltf.impl.v2.AccessorSparse;
import de.javagl.jgltf.impl.v2.Buffer;
import de.javagl.jgltf.impl.v2.BufferView;
import de.javagl.jgltf.impl.v2.GlTF;
import de.javagl.jgltf.model.io.GltfAsset;
import de.javagl.jgltf.model.io.IO;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Checks, before jgltf-model slices a file's binary data, that every buffer view lies inside its buffer's bytes
 * and every accessor (and sparse accessor's indices and values) inside its buffer view. A file whose data is short
 * is then refused in glTF terms ("accessor 2 reads past the end of buffer view 1 (needs 96 bytes, has 94)"), not
 * with the message of the {@code ByteBuffer} call that failed deep in the library.
 */
final class GltfBounds {
  private GltfBounds() {
  }

  /** Checks {@code gltf}, whose buffers' bytes {@code asset} holds (references already read in). */
  static void check(String ref, GlTF gltf, GltfAsset asset) {
    List<Buffer> buffers = listOf(gltf.getBuffers());
    List<BufferView> views = listOf(gltf.getBufferViews());
    for (int v = 0; v < views.size(); v++) {
      BufferView view = views.get(v);
      Integer b = view.getBuffer();
      if (b == null || b < 0 || b >= buffers.size()) {
        throw new SceneAssetException(ref, "buffer view " + v + " names buffer " + b + ", but the file has "
            + buffers.size() + " buffers");
      }
      long has = bytesOf(ref, b, buffers.get(b), asset);
      long needs = (long) orZero(view.getByteOffset()) + orZero(view.getByteLength());
      if (needs > has) {
        throw new SceneAssetException(ref, "buffer view " + v + " reads past the end of buffer " + b + " (needs "
            + needs + " bytes, has " + has + ")");
      }
    }
    List<Accessor> accessors = listOf(gltf.getAccessors());
    for (int a = 0; a < accessors.size(); a++) {
      Accessor accessor = accessors.get(a);
      long element = elementBytes(accessor.getType(), orZero(accessor.getComponentType()));
      if (element == 0) {
        continue; // an unknown type or component type: the library names it
      }
      String what = "accessor " + a;
      Integer v = accessor.getBufferView();
      if (v != null) {
        BufferView view = viewOf(ref, what, views, v);
        long stride = view.getByteStride() == null ? element : view.getByteStride();
        int count = orZero(accessor.getCount());
        long needs = count == 0 ? 0 : orZero(accessor.getByteOffset()) + (count - 1) * stride + element;
        inside(ref, what, v, view, needs);
      }
      AccessorSparse sparse = accessor.getSparse();
      if (sparse != null && sparse.getIndices() != null && sparse.getValues() != null) {
        int count = orZero(sparse.getCount());
        long indexBytes = componentBytes(orZero(sparse.getIndices().getComponentType()));
        int iv = orZero(sparse.getIndices().getBufferView());
        inside(ref, what + "'s sparse indices", iv, viewOf(ref, what + "'s sparse indices", views, iv),
            orZero(sparse.getIndices().getByteOffset()) + count * indexBytes);
        int vv = orZero(sparse.getValues().getBufferView());
        inside(ref, what + "'s sparse values", vv, viewOf(ref, what + "'s sparse values", views, vv),
            orZero(sparse.getValues().getByteOffset()) + count * element);
      }
    }
  }

  private static void inside(String ref, String what, int v, BufferView view, long needs) {
    long has = orZero(view.getByteLength());
    if (needs > has) {
      throw new SceneAssetException(ref, what + " reads past the end of buffer view " + v + " (needs " + needs
          + " bytes, has " + has + ")");
    }
  }

  private static BufferView viewOf(String ref, String what, List<BufferView> views, int v) {
    if (v < 0 || v >= views.size()) {
      throw new SceneAssetException(ref, what + " names buffer view " + v + ", but the file has " + views.size()
          + " buffer views");
    }
    return views.get(v);
  }

  /** How many bytes buffer {@code b} really has: its GLB chunk, its data URI, or its external file. */
  private static long bytesOf(String ref, int b, Buffer buffer, GltfAsset asset) {
    String uri = buffer.getUri();
    ByteBuffer data;
    if (uri == null) {
      data = asset.getBinaryData();
    } else if (IO.isDataUriString(uri)) {
      try {
        return IO.readDataUri(uri).length;
      } catch (IllegalArgumentException e) {
        throw new SceneAssetException(ref, "buffer " + b + " has a data URI that is not valid base64", e);
      }
    } else {
      data = asset.getReferenceData(uri);
    }
    return data == null ? 0 : data.remaining();
  }

  /**
   * The bytes one element of an accessor takes in its buffer view: components times component size, a matrix's
   * columns each padded to 4 bytes (glTF 2.0, 3.6.2.4); 0 for an unknown type or component type.
   */
  static long elementBytes(String type, int componentType) {
    int size = componentBytes(componentType);
    if (type == null || size == 0) {
      return 0;
    }
    return switch (type) {
      case "SCALAR" -> size;
      case "VEC2" -> 2L * size;
      case "VEC3" -> 3L * size;
      case "VEC4" -> 4L * size;
      case "MAT2" -> 2L * ((2L * size + 3) / 4 * 4);
      case "MAT3" -> 3L * ((3L * size + 3) / 4 * 4);
      case "MAT4" -> 4L * ((4L * size + 3) / 4 * 4);
      default -> 0;
    };
  }

  private static int componentBytes(int componentType) {
    return switch (componentType) {
      case 5120, 5121 -> 1; // BYTE, UNSIGNED_BYTE
      case 5122, 5123 -> 2; // SHORT, UNSIGNED_SHORT
      case 5125, 5126 -> 4; // UNSIGNED_INT, FLOAT
      default -> 0;
    };
  }

  private static int orZero(Integer n) {
    return n == null ? 0 : n;
  }

  private static <T> List<T> listOf(List<T> list) {
    return list == null ? List.of() : list;
  }
}
