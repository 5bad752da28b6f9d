package dev.tilefarm.worker.render.path;

import dev.tilefarm.schemas.SceneSpec;
import java.util.List;

/**
 * The camera of a scene's camera keys at one frame: between two keys each field (position, look-at point, up,
 * field of view, aperture, focus distance) moves linearly from the one key to the next; before the first key
 * and after the last the camera holds. A job without frames sees the first key.
 */
final class CameraPath {
  private CameraPath() {}

  /** The camera at {@code frame} (null: the first key's) of {@code keys}, frames rising. */
  static SceneSpec.Camera at(List<SceneSpec.CameraKey> keys, Integer frame) {
    SceneSpec.CameraKey first = keys.get(0);
    SceneSpec.CameraKey last = keys.get(keys.size() - 1);
    if (frame == null || frame <= first.frame()) {
      return first.camera();
    }
    if (frame >= last.frame()) {
      return last.camera();
    }
    int k = 0;
    while (keys.get(k + 1).frame() <= frame) {
      k++;
    }
    SceneSpec.CameraKey a = keys.get(k);
    SceneSpec.CameraKey b = keys.get(k + 1);
    double s = (double) (frame - a.frame()) / (b.frame() - a.frame());
    SceneSpec.Camera ca = a.camera();
    SceneSpec.Camera cb = b.camera();
    return new SceneSpec.Camera(KeyframeTrack.lerp(ca.position(), cb.position(), s),
        KeyframeTrack.lerp(ca.lookAt(), cb.lookAt(), s), KeyframeTrack.lerp(ca.up(), cb.up(), s),
        lerp(ca.fov(), cb.fov(), s), lerp(ca.aperture(), cb.aperture(), s),
        lerp(ca.focusDistance(), cb.focusDistance(), s));
  }

  private static double lerp(double a, double b, double s) {
    return a + s * (b - a);
  }
}
