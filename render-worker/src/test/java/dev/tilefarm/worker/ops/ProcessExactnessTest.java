package dev.tilefarm.worker.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileMaker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * The product promise for process jobs: tiles made one by one through {@link TileMaker}, assembled, equal
 * byte for byte the same OpenCV calls applied to the whole image, for tile sizes that divide the image and
 * sizes that do not.
 */
class ProcessExactnessTest {
  static {
    OpenCv.load();
  }

  private static final int W = 150;
  private static final int H = 101;

  /** Inputs by object key: PNG bytes synthesised with OpenCV. */
  static final Map<String, byte[]> INPUTS = Map.of(
      "bgr.png", png(TestImages.textured(W, H, 3, 1)),
      "grey.png", png(TestImages.textured(W, H, 1, 2)),
      "bgra.png", png(TestImages.textured(W, H, 4, 3)),
      "bgr16.png", png(TestImages.textured16(W, H, 3, 4)));

  private static final List<List<ImageOp>> CHAINS = List.of(
      List.of(new ImageOp.Grayscale()),
      List.of(new ImageOp.GaussianBlur(0.8)),
      List.of(new ImageOp.GaussianBlur(2.5)),
      List.of(new ImageOp.GaussianBlur(7)),
      List.of(new ImageOp.GaussianBlur(1.5), new ImageOp.Grayscale(), new ImageOp.GaussianBlur(3)));

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String input : List.of("bgr.png", "grey.png", "bgra.png", "bgr16.png")) {
      for (List<ImageOp> chain : CHAINS) {
        for (int tileSize : new int[] {16, 37, 64, 200}) {
          out.add(Arguments.of(input, chain, tileSize));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} tiles of {2}")
  @MethodSource("cases")
  void assembledTilesEqualTheOpsOnTheWholeImage(String input, List<ImageOp> chain, int tileSize) throws Exception {
    TileMaker maker = new TileMaker(uri -> INPUTS.get(uri.key()), 64L << 20);
    JobRequest.Process job = new JobRequest.Process("p-1", S3Uri.parse("s3://inputs/" + input), chain, 0, null);
    TileImage expected = wholeImageReference(INPUTS.get(input), chain);
    byte[] assembled = new byte[W * H * expected.channels()];
    for (TileRect t : tiles(tileSize)) {
      TileImage tile = maker.make(job, t, W, H);
      assertEquals(t.width(), tile.width());
      assertEquals(t.height(), tile.height());
      assertEquals(expected.channels(), tile.channels());
      for (int row = 0; row < t.height(); row++) {
        System.arraycopy(tile.pixels(), row * tile.stride(), assembled,
            ((t.y() + row) * W + t.x()) * tile.channels(), tile.stride());
      }
    }
    assertArrayEquals(expected.pixels(), assembled);
  }

  @Test
  void tilesMadeOnSeveralThreadsAtOnceAssembleToTheWholeImageFromOneFetch() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    TileMaker maker = new TileMaker(uri -> {
      fetches.incrementAndGet();
      return INPUTS.get(uri.key());
    }, 64L << 20);
    List<ImageOp> chain = CHAINS.get(CHAINS.size() - 1);
    JobRequest.Process job = new JobRequest.Process("p-2", S3Uri.parse("s3://inputs/bgra.png"), chain, 0, null);
    TileImage expected = wholeImageReference(INPUTS.get("bgra.png"), chain);
    List<TileRect> tiles = tiles(16);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<TileImage>> made = new ArrayList<>();
      for (TileRect t : tiles) {
        made.add(pool.submit(() -> maker.make(job, t, W, H)));
      }
      byte[] assembled = new byte[W * H];
      for (int i = 0; i < tiles.size(); i++) {
        TileRect t = tiles.get(i);
        TileImage tile = made.get(i).get();
        for (int row = 0; row < t.height(); row++) {
          System.arraycopy(tile.pixels(), row * tile.stride(), assembled, (t.y() + row) * W + t.x(), tile.stride());
        }
      }
      assertArrayEquals(expected.pixels(), assembled);
      // Threads that miss while another is fetching wait for its result instead of fetching again.
      assertEquals(1, fetches.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void resultsDoNotDependOnIntelIpp() {
    // Workers run on different CPUs, where IPP (if OpenCV used it for these ops) could take different code
    // paths. The 8-bit Gaussian and grey conversion are OpenCV's own fixed-point code, whatever IPP says.
    // setUseIPP is per thread in OpenCV 4, so this flips it for this test's thread only.
    boolean before = Core.useIPP();
    try {
      for (byte[] png : INPUTS.values()) {
        for (List<ImageOp> chain : CHAINS) {
          Core.setUseIPP(true);
          TileImage with = wholeImageReference(png, chain);
          Core.setUseIPP(false);
          TileImage without = wholeImageReference(png, chain);
          assertArrayEquals(with.pixels(), without.pixels(), chain.toString());
        }
      }
    } finally {
      Core.setUseIPP(before);
    }
  }

  /** The ops on the whole decoded image, written independently of the worker's code. */
  static TileImage wholeImageReference(byte[] png, List<ImageOp> chain) {
    Mat m = Imgcodecs.imdecode(new MatOfByte(png), Imgcodecs.IMREAD_UNCHANGED);
    if (m.depth() == CvType.CV_16U) {
      Mat eight = new Mat();
      m.convertTo(eight, CvType.CV_8U, 1 / 257.0);
      m = eight;
    }
    for (ImageOp op : chain) {
      Mat next = new Mat();
      if (op instanceof ImageOp.GaussianBlur b) {
        Imgproc.GaussianBlur(m, next, new Size(b.kernelSize(), b.kernelSize()), b.sigma(), b.sigma());
      } else if (m.channels() == 1) {
        next = m;
      } else {
        Imgproc.cvtColor(m, next, m.channels() == 3 ? Imgproc.COLOR_BGR2GRAY : Imgproc.COLOR_BGRA2GRAY);
      }
      m = next;
    }
    Mat rgb = new Mat();
    switch (m.channels()) {
      case 1 -> rgb = m;
      case 3 -> Imgproc.cvtColor(m, rgb, Imgproc.COLOR_BGR2RGB);
      default -> Imgproc.cvtColor(m, rgb, Imgproc.COLOR_BGRA2RGBA);
    }
    byte[] pixels = new byte[(int) rgb.total() * rgb.channels()];
    rgb.get(0, 0, pixels);
    return new TileImage(rgb.cols(), rgb.rows(), rgb.channels(), pixels);
  }

  static byte[] png(Mat image) {
    MatOfByte out = new MatOfByte();
    if (!Imgcodecs.imencode(".png", image, out)) {
      throw new IllegalStateException("PNG encoding failed");
    }
    return out.toArray();
  }

  private static List<TileRect> tiles(int size) {
    List<TileRect> out = new ArrayList<>();
    for (int y = 0; y < H; y += size) {
      for (int x = 0; x < W; x += size) {
        out.add(new TileRect(out.size(), x, y, Math.min(size, W - x), Math.min(size, H - y)));
      }
    }
    return out;
  }
}
