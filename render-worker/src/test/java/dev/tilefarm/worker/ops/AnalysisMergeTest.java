package dev.tilefarm.worker.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.ImageOp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Analysis partials are exact counts: summed over the tiles they are the whole image's, for tile sizes that
 * do and do not divide it (each pixel is counted by exactly one tile, never by a halo).
 */
class AnalysisMergeTest {
  static {
    OpenCv.load();
  }

  @ParameterizedTest(name = "tiles of {0}")
  @ValueSource(ints = {16, 37, 64, 4096})
  void histogramsAndColourCountsSumToTheWholeImages(int tile) throws Exception {
    byte[] png = OpCatalogExactnessTest.IMAGES.get("photo");
    List<ImageOp> chain = List.of(new ImageOp.GaussianBlur(1), new ImageOp.Histogram(32),
        new ImageOp.DominantColors(5, 8));
    TiledRun.Result run = TiledRun.run(png, chain, tile);
    long[][] hist = new long[3][32];
    Map<String, Long> colours = new TreeMap<>();
    for (JsonNode r : run.reports()) {
      JsonNode counts = r.get("analyses").get(0).get("counts");
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < 32; i++) {
          hist[c][i] += counts.get(c).get(i).asLong();
        }
      }
      r.get("analyses").get(1).get("cells").fields()
          .forEachRemaining(e -> colours.merge(e.getKey(), e.getValue().get(0).asLong(), Long::sum));
    }
    // The whole image, blurred as the chain does, counted directly.
    Mat m = Imgcodecs.imdecode(new MatOfByte(png), Imgcodecs.IMREAD_UNCHANGED);
    Mat blurred = Reference.apply(chain.get(0), m);
    byte[] px = new byte[(int) blurred.total() * 3];
    blurred.get(0, 0, px);
    long[][] expected = new long[3][32];
    Map<String, Long> expectedColours = new TreeMap<>();
    for (int i = 0; i < px.length; i += 3) {
      int r = px[i + 2] & 0xFF;
      int g = px[i + 1] & 0xFF;
      int b = px[i] & 0xFF;
      expected[0][r >> 3]++;
      expected[1][g >> 3]++;
      expected[2][b >> 3]++;
      expectedColours.merge(String.valueOf(((r >> 5) * 8 + (g >> 5)) * 8 + (b >> 5)), 1L, Long::sum);
    }
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(expected[c], hist[c]);
    }
    assertEquals(expectedColours, colours);
  }
}
