package dev.tilefarm.worker.render.path;

/**
 * A scene cannot be built because of one of its files: it is missing, unreadable, malformed, or uses a
 * feature the tracer does not support. The message names the file (as the scene referenced it) and what is
 * wrong, fit to be reported to the job's owner as it is. Deterministic: building again fails the same way.
 */
public final class SceneAssetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String asset;

  public SceneAssetException(String asset, String reason) {
    super("asset '" + shorten(asset) + "': " + reason);
    this.asset = asset;
  }

  public SceneAssetException(String asset, String reason, Throwable cause) {
    super("asset '" + shorten(asset) + "': " + reason, cause);
    this.asset = asset;
  }

  /** The reference as the scene wrote it. */
  public String asset() {
    return asset;
  }

  private static String shorten(String ref) {
    if (ref == null) {
      return "?";
    }
    if (ref.startsWith("data:")) {
      int comma = ref.indexOf(',');
      return (comma > 0 ? ref.substring(0, comma) : "data:") + ",... (" + ref.length() + " characters)";
    }
    return ref.length() > 200 ? ref.substring(0, 200) + "..." : ref;
  }
}
