package dev.tilefarm.worker.render.path;

/**
 * Where a scene's files come from. {@link #read} takes a reference as {@link AssetPaths} leaves it: a
 * {@code data:} URI, an {@code s3://} URI, or a normalised path relative to the scene's assets root (a folder
 * or an archive), which never climbs out of that root.
 *
 * <p>Faults the scene's owner must fix (a missing file, an archive entry that is not there) are
 * {@link SceneAssetException}s; storage faults that may pass propagate as whatever the storage layer threw.
 */
public interface SceneAssets {
  /** Assets for a scene that references none: every read fails naming the reference. */
  SceneAssets NONE = ref -> {
    throw new SceneAssetException(ref, "the scene gives no assets location to read it from");
  };

  byte[] read(String reference);
}
