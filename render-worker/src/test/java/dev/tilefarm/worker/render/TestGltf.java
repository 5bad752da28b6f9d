package dev.tilefarm.worker.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/**
 * Writes small glTF 2.0 files for tests, by hand, so that the loader is tested against the format and not
 * against its own writer: accessors, buffer views and a GLB container (or a .gltf with an external buffer).
 */
final class TestGltf {
  static final ObjectMapper JSON = new ObjectMapper();

  final ObjectNode root = JSON.createObjectNode();
  private final ByteArrayOutputStream bin = new ByteArrayOutputStream();

  TestGltf() {
    root.putObject("asset").put("version", "2.0").put("generator", "tilefarm TestGltf");
    root.put("scene", 0);
    root.putArray("scenes").addObject().putArray("nodes");
  }

  ArrayNode array(String name) {
    return root.has(name) ? (ArrayNode) root.get(name) : root.putArray(name);
  }

  /** Appends bytes (4-aligned) as a buffer view; returns its index. */
  int view(byte[] data, Integer target) {
    while (bin.size() % 4 != 0) {
      bin.write(0);
    }
    ObjectNode v = array("bufferViews").addObject().put("buffer", 0).put("byteOffset", bin.size())
        .put("byteLength", data.length);
    if (target != null) {
      v.put("target", target);
    }
    bin.writeBytes(data);
    return array("bufferViews").size() - 1;
  }

  int floats(float[] values, int components, boolean minMax) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    int view = view(b.array(), 34962);
    ObjectNode a = array("accessors").addObject().put("bufferView", view).put("componentType", 5126)
        .put("count", values.length / components).put("type", components == 2 ? "VEC2" : "VEC3");
    if (minMax) {
      float[] lo = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
      float[] hi = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
      for (int i = 0; i < values.length; i++) {
        lo[i % 3] = Math.min(lo[i % 3], values[i]);
        hi[i % 3] = Math.max(hi[i % 3], values[i]);
      }
      ArrayNode min = a.putArray("min");
      ArrayNode max = a.putArray("max");
      for (int c = 0; c < 3; c++) {
        min.add(lo[c]);
        max.add(hi[c]);
      }
    }
    return array("accessors").size() - 1;
  }

  int indices(int[] values) {
    ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    int view = view(b.array(), 34963);
    array("accessors").addObject().put("bufferView", view).put("componentType", 5123).put("count", values.length)
        .put("type", "SCALAR");
    return array("accessors").size() - 1;
  }

  /** A mesh of one triangle primitive; normals and uvs may be null. */
  int mesh(float[] positions, float[] normals, float[] uvs, int[] idx, int material) {
    ObjectNode prim = JSON.createObjectNode();
    ObjectNode attrs = prim.putObject("attributes");
    attrs.put("POSITION", floats(positions, 3, true));
    if (normals != null) {
      attrs.put("NORMAL", floats(normals, 3, false));
    }
    if (uvs != null) {
      attrs.put("TEXCOORD_0", floats(uvs, 2, false));
    }
    prim.put("indices", indices(idx));
    prim.put("material", material);
    array("meshes").addObject().putArray("primitives").add(prim);
    return array("meshes").size() - 1;
  }

  /** A PNG image embedded in the binary chunk, with a texture using it; returns the texture index. */
  int texture(BufferedImage image) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int view = view(png.toByteArray(), null);
    array("images").addObject().put("bufferView", view).put("mimeType", "image/png");
    array("textures").addObject().put("source", array("images").size() - 1);
    return array("textures").size() - 1;
  }

  ObjectNode node() {
    ObjectNode n = array("nodes").addObject();
    ((ArrayNode) root.get("scenes").get(0).get("nodes")).add(array("nodes").size() - 1);
    return n;
  }

  /** The GLB container: header, JSON chunk (space-padded), BIN chunk (zero-padded). */
  byte[] glb() {
    while (bin.size() % 4 != 0) {
      bin.write(0);
    }
    root.putArray("buffers").addObject().put("byteLength", bin.size());
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int jsonLength = (json.length + 3) / 4 * 4;
    ByteBuffer out = ByteBuffer.allocate(12 + 8 + jsonLength + 8 + bin.size()).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(0x46546C67).putInt(2).putInt(out.capacity());
    out.putInt(jsonLength).putInt(0x4E4F534A).put(json);
    for (int i = json.length; i < jsonLength; i++) {
      out.put((byte) ' ');
    }
    out.putInt(bin.size()).putInt(0x004E4942).put(bin.toByteArray());
    return out.array();
  }

  /** A .gltf whose one buffer is the external file {@code binName}: returns {json, bin}. */
  byte[][] gltfWithExternalBuffer(String binName) {
    while (bin.size() % 4 != 0) {
      bin.write(0);
    }
    root.putArray("buffers").addObject().put("byteLength", bin.size()).put("uri", binName);
    try {
      return new byte[][] {JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8), bin.toByteArray()};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
