package dev.tilefarm.worker.render;

import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.render.path.AssetPaths;
import dev.tilefarm.worker.render.path.SceneAssetException;
import dev.tilefarm.worker.render.path.SceneAssets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a builtin job's scene and its files come from: the scene inline with its files in a folder or an
 * archive in storage ({@code assets}), or the whole scene stored as one object (a JSON scene, a glTF or OBJ
 * file, or a zip/tar archive holding one). Resolves the job to the scene description plus the
 * {@link SceneAssets} its relative paths read from.
 */
final class SceneSource {
  /** A scene description ready to load, and the files it may read. */
  record Resolved(SceneSpec.Builtin spec, SceneAssets assets) {}

  private final Function<S3Uri, byte[]> fetch;

  SceneSource(Function<S3Uri, byte[]> fetch) {
    this.fetch = fetch;
  }

  Resolved resolve(SceneSpec scene) throws TileFailedException {
    return switch (scene) {
      case SceneSpec.Builtin b -> new Resolved(b, assets(b.assets() == null ? null : root(b.assets())));
      case SceneSpec.Stored s -> stored(s.uri());
      case SceneSpec.Mandelbrot m -> throw new IllegalStateException("no scene source for a mandelbrot scene");
      case SceneSpec.PovRay p -> throw new IllegalStateException("no scene source for a povray scene");
      case SceneSpec.Blender b -> throw new IllegalStateException("no scene source for a blender scene");
      case SceneSpec.Sleep z -> throw new IllegalStateException("no scene source for the bench's sleeping tiles");
    };
  }

  private Resolved stored(S3Uri uri) throws TileFailedException {
    String ext = uri.extension().toLowerCase(Locale.ROOT);
    if (ext.equals("zip") || ext.equals("tar")) {
      SceneArchive archive = SceneArchive.read(uri.toString(), get(uri, uri.toString()), ext.equals("tar"));
      Root root = new Root(null, null, archive);
      Map<String, byte[]> files = archive.files();
      if (files.containsKey("scene.json")) {
        return json(uri + "!scene.json", files.get("scene.json"), root);
      }
      List<String> models = new ArrayList<>();
      for (String path : files.keySet()) {
        String e = extension(path);
        if (e.equals("gltf") || e.equals("glb") || e.equals("obj")) {
          models.add(path);
        }
      }
      if (models.size() != 1) {
        throw new TileFailedException("scene archive " + uri + " must hold a scene.json at its root, or exactly one "
            + ".gltf, .glb or .obj file; it holds " + (models.isEmpty() ? "none" : String.join(", ", models)));
      }
      return new Resolved(bareModel(models.get(0)), assets(root));
    }
    String key = uri.key();
    int slash = key.lastIndexOf('/');
    Root folder = new Root(uri.bucket(), key.substring(0, slash + 1), null);
    String name = key.substring(slash + 1);
    if (ext.equals("json")) {
      return json(uri.toString(), get(uri, uri.toString()), folder);
    }
    return new Resolved(bareModel(name), assets(folder));
  }

  private Resolved json(String where, byte[] bytes, Root fileRoot) throws TileFailedException {
    SceneSpec.Builtin spec;
    try {
      spec = SceneSpec.parseBuiltinFile(bytes);
    } catch (InvalidJobException e) {
      throw new TileFailedException("scene file " + where + ": " + e.getMessage(), e);
    }
    // A stored scene's own assets location wins over the folder it sits in.
    Root root = spec.assets() != null ? root(spec.assets()) : fileRoot;
    return new Resolved(spec, assets(root));
  }

  /** A model file on its own: its cameras (or one framing it), its lights and a white sky of radiance 1. */
  private static SceneSpec.Builtin bareModel(String path) {
    SceneSpec.Shape object = extension(path).equals("obj")
        ? new SceneSpec.Mesh(path, null, null, null, null, SceneSpec.Transform.IDENTITY, null)
        : new SceneSpec.Gltf(path, SceneSpec.Transform.IDENTITY);
    return new SceneSpec.Builtin(null, new double[] {1, 1, 1}, null, Map.of(), Map.of(), List.of(object), List.of(), 8,
        null, false, 1);
  }

  private Root root(S3Uri assets) {
    String ext = assets.extension().toLowerCase(Locale.ROOT);
    if (!assets.key().endsWith("/") && (ext.equals("zip") || ext.equals("tar"))) {
      return new Root(null, null,
          SceneArchive.read(assets.toString(), get(assets, assets.toString()), ext.equals("tar")));
    }
    return new Root(assets.bucket(), assets.key(), null);
  }

  /** A folder in storage (a bucket and a key prefix, possibly empty, ending in '/') or an archive. */
  private record Root(String bucket, String prefix, SceneArchive archive) {}

  private SceneAssets assets(Root root) {
    return ref -> {
      if (ref.startsWith("data:")) {
        int comma = ref.indexOf(',');
        if (comma < 0 || !ref.substring(0, comma).endsWith(";base64")) {
          throw new SceneAssetException(ref, "a data: URI must be base64");
        }
        try {
          return Base64.getDecoder().decode(ref.substring(comma + 1));
        } catch (IllegalArgumentException e) {
          throw new SceneAssetException(ref, "holds invalid base64: " + e.getMessage());
        }
      }
      if (ref.startsWith("s3://")) {
        S3Uri uri;
        try {
          uri = S3Uri.parse(ref);
        } catch (IllegalArgumentException e) {
          throw new SceneAssetException(ref, e.getMessage());
        }
        return get(uri, ref);
      }
      if (root == null) {
        return SceneAssets.NONE.read(ref);
      }
      String path = AssetPaths.normalize(ref, ref);
      if (root.archive() != null) {
        return root.archive().read(path);
      }
      S3Uri uri;
      try {
        uri = new S3Uri(root.bucket(), root.prefix() + path);
      } catch (IllegalArgumentException e) {
        throw new SceneAssetException(ref, e.getMessage());
      }
      return get(uri, ref);
    };
  }

  private byte[] get(S3Uri uri, String ref) {
    try {
      return fetch.apply(uri);
    } catch (BlobNotFoundException e) {
      throw new SceneAssetException(ref, "does not exist" + (ref.equals(uri.toString()) ? "" : " (" + uri + ")"), e);
    }
  }

  private static String extension(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
