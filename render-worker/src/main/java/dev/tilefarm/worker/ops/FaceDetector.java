package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.worker.TileFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opencv.core.Mat;
import org.opencv.core.MatOfRect;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.objdetect.CascadeClassifier;

/**
 * OpenCV's Haar cascade classifiers, loaded from a folder (Debian's {@code opencv-data} package installs them in
 * {@link #DEFAULT_DIR}). A classifier is not thread-safe, so each thread loads its own.
 */
final class FaceDetector {
  static final Path DEFAULT_DIR = Path.of("/usr/share/opencv4/haarcascades");

  private final Path dir;
  private final Map<String, ThreadLocal<CascadeClassifier>> classifiers = new ConcurrentHashMap<>();

  FaceDetector(Path dir) {
    this.dir = dir;
  }

  boolean available(ImageOp.DetectFaces f) {
    return Files.isReadable(dir.resolve(f.fileName()));
  }

  /** Faces in {@code image} (grey, BGR or BGRA), in the image's coordinates. */
  List<Rect> detect(ImageOp.DetectFaces f, Mat image) {
    Path file = dir.resolve(f.fileName());
    if (!Files.isReadable(file)) {
      throw new IllegalStateException(new TileFailedException("detect-faces: the cascade " + file
          + " is missing (install OpenCV's cascades, e.g. Debian's opencv-data package, or set worker.cascade-dir)"));
    }
    CascadeClassifier classifier = classifiers.computeIfAbsent(file.toString(), k -> ThreadLocal.withInitial(() -> {
      CascadeClassifier c = new CascadeClassifier(k);
      if (c.empty()) {
        throw new IllegalStateException("detect-faces: OpenCV could not load the cascade " + k);
      }
      return c;
    })).get();
    Mat grey = OpChain.grey(image);
    MatOfRect found = new MatOfRect();
    try {
      classifier.detectMultiScale(grey, found, f.scaleFactor(), f.minNeighbors(), 0,
          new Size(f.minSize(), f.minSize()), new Size(f.maxSize(), f.maxSize()));
      return found.toList();
    } finally {
      found.release();
      if (grey != image) {
        grey.release();
      }
    }
  }
}
