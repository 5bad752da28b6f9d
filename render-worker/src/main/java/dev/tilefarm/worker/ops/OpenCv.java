package dev.tilefarm.worker.ops;

/** Loads OpenCV's native library once per class loader, before any class of this package touches a Mat. */
final class OpenCv {
  static {
    nu.pattern.OpenCV.loadLocally();
  }

  private OpenCv() {}

  /** Does nothing but make sure the static initializer above has run. */
  static void load() {}
}
