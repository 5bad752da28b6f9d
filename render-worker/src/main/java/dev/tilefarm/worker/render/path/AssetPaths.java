package dev.tilefarm.worker.render.path;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a reference found inside an asset (a glTF buffer or image URI, an OBJ's mtllib, an MTL's texture)
 * against the asset that made it, the way a browser resolves a relative link, and refuses any that would
 * leave the scene's assets root: archives and folders from users must not reach other objects.
 */
public final class AssetPaths {
  private AssetPaths() {}

  /**
   * @param base the referencing asset's own reference (relative path, s3:// or data: URI); null for the root
   * @param child the reference as written in the referencing file (percent-escapes allowed for glTF URIs)
   */
  public static String resolve(String base, String child, boolean percentEncoded) {
    if (child.startsWith("data:") || child.startsWith("s3://")) {
      return child;
    }
    if (child.contains("://") || child.startsWith("/") || child.contains("\\")) {
      throw new SceneAssetException(child, "only relative paths, s3:// and data: URIs are allowed");
    }
    String decoded = child;
    if (percentEncoded) {
      try {
        decoded = URLDecoder.decode(child.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new SceneAssetException(child, "is not a valid URI: " + e.getMessage());
      }
    }
    if (base != null && base.startsWith("s3://")) {
      int slash = base.indexOf('/', 5);
      String bucket = base.substring(0, slash + 1);
      String key = base.substring(slash + 1);
      return bucket + normalize(folderOf(key) + decoded, child);
    }
    String folder = base == null || base.startsWith("data:") ? "" : folderOf(base);
    return normalize(folder + decoded, child);
  }

  /** A relative path with '.' and '..' applied; refused if it climbs above the root or is empty. */
  public static String normalize(String path, String asWritten) {
    Deque<String> parts = new ArrayDeque<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (parts.isEmpty()) {
          throw new SceneAssetException(asWritten, "climbs out of the scene's assets");
        }
        parts.removeLast();
      } else {
        for (char c : segment.toCharArray()) {
          if (c < 0x20 || c == 0x7f) {
            throw new SceneAssetException(asWritten, "holds a control character");
          }
        }
        parts.addLast(segment);
      }
    }
    if (parts.isEmpty() || path.endsWith("/")) {
      throw new SceneAssetException(asWritten, "names a folder, not a file");
    }
    return String.join("/", parts);
  }

  private static String folderOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash + 1);
  }
}
