package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.CLAHE;
import org.opencv.imgproc.Imgproc;

/**
 * Whole-image ops through the real farm: CLAHE then Canny is three passes (two of statistics, merged by the
 * compositor, which starts each next pass), with a histogram report; the image equals OpenCV's on the whole
 * image and the report's counts are the whole image's.
 */
class ProcessPassesIT {
  @TempDir
  Path dir;

  @Test
  void claheAndCannyOverTilesEqualOpenCvOnTheWholeImageAndTheReportCountsEveryPixel() throws Exception {
    nu.pattern.OpenCV.loadLocally();
    Mat src = new Mat(181, 263, CvType.CV_8UC3);
    Core.randu(src, 0, 256);
    Imgproc.GaussianBlur(src, src, new Size(7, 7), 2);
    Imgproc.circle(src, new Point(120, 80), 50, new Scalar(30, 160, 220), -1);
    Imgproc.rectangle(src, new Point(180, 20), new Point(250, 170), new Scalar(200, 40, 90), 5);
    MatOfByte png = new MatOfByte();
    Imgcodecs.imencode(".png", src, png);
    try (TestFarm farm = TestFarm.start(dir, 2)) {
      S3Uri input = S3Uri.parse("s3://tilefarm/it/passes.png");
      farm.farm.blobs().put(input, png.toArray(), "image/png");
      JobEvent end = farm.runOne(TestFarm.json("{\"id\":\"passes-1\",\"type\":\"process\",\"input\":\"" + input
          + "\",\"tileSize\":48,\"ops\":[{\"op\":\"clahe\"},{\"op\":\"histogram\",\"bins\":16},"
          + "{\"op\":\"canny\",\"low\":50,\"high\":150}]}"));
      JobEvent.Completed c = assertInstanceOf(JobEvent.Completed.class, end, String.valueOf(end));

      List<Mat> planes = new ArrayList<>();
      Core.split(src, planes);
      CLAHE clahe = Imgproc.createCLAHE(40, new Size(8, 8));
      for (Mat p : planes) {
        clahe.apply(p, p);
      }
      Mat equalized = new Mat();
      Core.merge(planes, equalized);
      Mat edges = new Mat();
      Imgproc.Canny(equalized, edges, 50, 150);
      byte[] want = new byte[(int) edges.total()];
      edges.get(0, 0, want);
      Mat got = Imgcodecs.imdecode(new MatOfByte(farm.farm.blobs().get(c.output())), Imgcodecs.IMREAD_UNCHANGED);
      byte[] have = new byte[(int) got.total()];
      got.get(0, 0, have);
      assertArrayEquals(want, have, "CLAHE + Canny over tiles differ from OpenCV on the whole image");

      assertNotNull(c.report(), "COMPLETED links the report");
      JsonNode report = Json.MAPPER.readTree(farm.farm.blobs().get(c.report()));
      long[] red = new long[16];
      byte[] px = new byte[(int) equalized.total() * 3];
      equalized.get(0, 0, px);
      for (int i = 0; i < px.length; i += 3) {
        red[(px[i + 2] & 0xFF) >> 4]++;
      }
      JsonNode counts = report.at("/analyses/0/channels/red");
      for (int b = 0; b < 16; b++) {
        assertEquals(red[b], counts.get(b).asLong(), "red bin " + b);
      }
    }
  }
}
