package dev.tilefarm.worker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.ImageOp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfRect;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.CascadeClassifier;

/**
 * detect-faces over tiles finds what detectMultiScale finds on the whole image: tiles read their box grown by
 * the largest face size, so each face is whole in the tile holding its centre, which alone reports it — a
 * face across a tile border is reported once. Synthetic faces (drawn so that OpenCV's frontal cascade finds
 * them) sit across the borders of the tile sizes used.
 */
class FaceDetectionTest {
  static {
    OpenCv.load();
  }

  private static final ImageOp.DetectFaces OP = new ImageOp.DetectFaces("frontalface-default", 1.1, 3, 24, 160);

  @BeforeAll
  static void cascadeInstalled() {
    assumeTrue(Analysis.cascadesAvailable(OP), "skipping face detection: OpenCV's cascade "
        + FaceDetector.DEFAULT_DIR.resolve(OP.fileName()) + " is missing (Debian: apt-get install opencv-data)");
  }

  static Mat faces() {
    Mat m = new Mat(300, 420, CvType.CV_8UC1, new Scalar(90));
    face(m, 64, 70, 90);
    face(m, 200, 130, 100);
    face(m, 330, 220, 110);
    face(m, 120, 230, 80);
    Imgproc.GaussianBlur(m, m, new Size(5, 5), 1.5);
    Mat colour = new Mat();
    Imgproc.cvtColor(m, colour, Imgproc.COLOR_GRAY2BGR);
    return colour;
  }

  private static void face(Mat m, int cx, int cy, int s) {
    Imgproc.ellipse(m, new Point(cx, cy), new Size(s * 0.42, s * 0.55), 0, 0, 360, new Scalar(200), -1);
    for (int side : new int[] {-1, 1}) {
      Imgproc.ellipse(m, new Point(cx + side * s * 0.18, cy - s * 0.12), new Size(s * 0.09, s * 0.05), 0, 0, 360,
          new Scalar(40), -1);
      Imgproc.line(m, new Point(cx + side * s * 0.28, cy - s * 0.24), new Point(cx + side * s * 0.08, cy - s * 0.22),
          new Scalar(60), Math.max(1, s / 30));
    }
    Imgproc.line(m, new Point(cx, cy - s * 0.05), new Point(cx - s * 0.04, cy + s * 0.12), new Scalar(120),
        Math.max(1, s / 30));
    Imgproc.ellipse(m, new Point(cx, cy + s * 0.25), new Size(s * 0.15, s * 0.05), 0, 0, 360, new Scalar(70), -1);
  }

  @ParameterizedTest(name = "tiles of {0}")
  @ValueSource(ints = {64, 100, 128, 512})
  void eachFaceIsFoundOnceWhereverTheTileBordersAre(int tile) throws Exception {
    Mat image = faces();
    CascadeClassifier classifier = new CascadeClassifier(FaceDetector.DEFAULT_DIR.resolve(OP.fileName()).toString());
    Mat grey = new Mat();
    Imgproc.cvtColor(image, grey, Imgproc.COLOR_BGR2GRAY);
    MatOfRect found = new MatOfRect();
    classifier.detectMultiScale(grey, found, OP.scaleFactor(), OP.minNeighbors(), 0, new Size(OP.minSize(), OP.minSize()),
        new Size(OP.maxSize(), OP.maxSize()));
    List<Rect> whole = found.toList();
    assertEquals(4, whole.size(), "the synthetic faces are found on the whole image: " + whole);

    TiledRun.Result run = TiledRun.run(Reference.png(image), List.of(OP), tile);
    List<int[]> tiled = new ArrayList<>();
    for (JsonNode report : run.reports()) {
      for (JsonNode f : report.get("analyses").get(0).get("faces")) {
        tiled.add(new int[] {f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), f.get(3).asInt()});
      }
    }
    assertEquals(whole.size(), tiled.size(), "faces reported by the tiles: " + describe(tiled));
    for (Rect w : whole) {
      long matches = tiled.stream().filter(t -> overlap(t, w) > 0.5).count();
      assertEquals(1, matches, "face " + w + " is reported " + matches + " times: " + describe(tiled));
    }
    // The pixels pass through unchanged.
    assertTrue(java.util.Arrays.equals(Reference.of(Reference.png(image), List.of()).pixels(), run.image().pixels()));
  }

  private static double overlap(int[] a, Rect b) {
    int x0 = Math.max(a[0], b.x);
    int y0 = Math.max(a[1], b.y);
    int x1 = Math.min(a[0] + a[2], b.x + b.width);
    int y1 = Math.min(a[1] + a[3], b.y + b.height);
    return x1 <= x0 || y1 <= y0 ? 0 : (double) (x1 - x0) * (y1 - y0) / Math.min(a[2] * a[3], b.width * b.height);
  }

  private static String describe(List<int[]> faces) {
    return faces.stream().map(java.util.Arrays::toString).toList().toString();
  }
}
