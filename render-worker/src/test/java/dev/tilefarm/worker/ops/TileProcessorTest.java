package dev.tilefarm.worker.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;
import dev.tilefarm.worker.TileMaker;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

class TileProcessorTest {
  static {
    OpenCv.load();
  }

  private static final S3Uri INPUT = S3Uri.parse("s3://inputs/photo.png");
  private static final List<ImageOp> BLUR = List.of(new ImageOp.GaussianBlur(1));

  private final Map<String, byte[]> objects = new HashMap<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final TileMaker maker = new TileMaker(uri -> {
    fetches.incrementAndGet();
    return objects.get(uri.key());
  }, 1 << 20);

  private static JobRequest.Process job(String id, String key, List<ImageOp> ops) {
    return new JobRequest.Process(id, S3Uri.parse("s3://inputs/" + key), ops, 0, null);
  }

  @Test
  void bytesThatAreNotAnImageFailTheTileNamingTheInput() {
    objects.put("photo.png", "<html>not found</html>".getBytes(StandardCharsets.UTF_8));
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> maker.make(job("j", "photo.png", BLUR), new TileRect(0, 0, 0, 8, 8), 8, 8));
    assertTrue(e.getMessage().startsWith("input " + INPUT + " is not a readable image ("), e.getMessage());
  }

  @Test
  void anEmptyObjectFailsTheTile() {
    objects.put("photo.png", new byte[0]);
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> maker.make(job("j", "photo.png", BLUR), new TileRect(0, 0, 0, 8, 8), 8, 8));
    assertTrue(e.getMessage().contains(INPUT + " is not a readable image"), e.getMessage());
  }

  @Test
  void anInputOfAnotherSizeThanPlannedFailsTheTile() {
    objects.put("photo.png", ProcessExactnessTest.png(TestImages.textured(30, 20, 3, 1)));
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> maker.make(job("j", "photo.png", BLUR), new TileRect(0, 0, 0, 8, 8), 31, 20));
    assertTrue(e.getMessage().contains("is 30x20") && e.getMessage().contains("31x20"), e.getMessage());
  }

  @Test
  void floatingPointSamplesAreUnsupported() {
    Mat floats = new Mat(20, 30, CvType.CV_32FC1, new Scalar(0.5));
    MatOfByte tiff = new MatOfByte();
    assertTrue(Imgcodecs.imencode(".tiff", floats, tiff));
    objects.put("photo.tiff", tiff.toArray());
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> maker.make(job("j", "photo.tiff", BLUR), new TileRect(0, 0, 0, 8, 8), 30, 20));
    assertTrue(e.getMessage().contains("32-bit floating-point"), e.getMessage());
  }

  @Test
  void whatFetchingThrowsPropagatesUnchanged() {
    IllegalStateException storageDown = new IllegalStateException("S3 is down");
    TileMaker failing = new TileMaker(uri -> {
      throw storageDown;
    }, 1 << 20);
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> failing.make(job("j", "photo.png", BLUR), new TileRect(0, 0, 0, 8, 8), 8, 8));
    assertSame(storageDown, thrown);
  }

  @Test
  void aFetcherReturningNothingIsAProgrammingErrorNotABadImage() {
    TileMaker broken = new TileMaker(uri -> null, 1 << 20);
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> broken.make(job("j", "photo.png", BLUR), new TileRect(0, 0, 0, 8, 8), 8, 8));
    assertTrue(e.getMessage().contains(INPUT.toString()), e.getMessage());
  }

  @Test
  void aFailedFetchIsNotCachedSoTheNextTileTriesAgain() throws Exception {
    objects.put("photo.png", ProcessExactnessTest.png(TestImages.textured(30, 20, 3, 1)));
    AtomicInteger calls = new AtomicInteger();
    TileMaker flaky = new TileMaker(uri -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("timeout");
      }
      return objects.get(uri.key());
    }, 1 << 20);
    JobRequest.Process job = job("j", "photo.png", BLUR);
    assertThrows(IllegalStateException.class, () -> flaky.make(job, new TileRect(0, 0, 0, 8, 8), 30, 20));
    assertEquals(8, flaky.make(job, new TileRect(0, 0, 0, 8, 8), 30, 20).width());
  }

  @Test
  void anInputIsFetchedOncePerJobWhileItFitsTheCache() throws Exception {
    objects.put("photo.png", ProcessExactnessTest.png(TestImages.textured(30, 20, 3, 1)));
    JobRequest.Process job = job("j1", "photo.png", BLUR);
    maker.make(job, new TileRect(0, 0, 0, 16, 16), 30, 20);
    maker.make(job, new TileRect(1, 16, 0, 14, 16), 30, 20);
    assertEquals(1, fetches.get());
    // Another job reading the same key fetches again: the object may have been replaced in between.
    maker.make(job("j2", "photo.png", BLUR), new TileRect(0, 0, 0, 16, 16), 30, 20);
    assertEquals(2, fetches.get());

    TileMaker uncached = new TileMaker(uri -> {
      fetches.incrementAndGet();
      return objects.get(uri.key());
    }, 0);
    uncached.make(job, new TileRect(0, 0, 0, 16, 16), 30, 20);
    uncached.make(job, new TileRect(1, 16, 0, 14, 16), 30, 20);
    assertEquals(4, fetches.get());
  }

  @Test
  void theCacheKeepsTheMostRecentlyUsedInputsWithinItsByteBound() throws Exception {
    byte[] png = ProcessExactnessTest.png(TestImages.textured(10, 10, 3, 1)); // 300 decoded bytes
    InputCache cache = new InputCache(uri -> {
      fetches.incrementAndGet();
      return png;
    }, 700);
    cache.get("a", INPUT);
    cache.get("b", INPUT);
    cache.get("a", INPUT); // a is now the most recently used
    cache.get("c", INPUT); // so b goes
    assertEquals(3, fetches.get());
    assertEquals(2, cache.size());
    assertEquals(600, cache.cachedBytes());
    cache.get("a", INPUT);
    cache.get("c", INPUT);
    assertEquals(3, fetches.get());
    cache.get("b", INPUT);
    assertEquals(4, fetches.get());
  }

  @Test
  void theInputsOfAnEndedJobAreDropped() throws Exception {
    byte[] png = ProcessExactnessTest.png(TestImages.textured(10, 10, 3, 1)); // 300 decoded bytes
    InputCache cache = new InputCache(uri -> png, 700);
    cache.get("a", INPUT);
    cache.get("b", INPUT);
    cache.forget(job -> job.equals("a"));
    assertEquals(1, cache.size());
    assertEquals(300, cache.cachedBytes());
  }

  @Test
  void colourComesOutAsRgbAndAlphaIsKept() throws Exception {
    // One pure blue, opaque BGRA pixel and one half-transparent red one.
    Mat bgra = new Mat(1, 2, CvType.CV_8UC4);
    bgra.put(0, 0, new byte[] {(byte) 255, 0, 0, (byte) 255, 0, 0, (byte) 255, (byte) 128});
    objects.put("px.png", ProcessExactnessTest.png(bgra));
    // A blur of sigma 0.1 has a 3-tap kernel that rounds to the identity in 8-bit fixed point.
    TileImage tile = maker.make(job("j", "px.png", List.of(new ImageOp.GaussianBlur(0.1))),
        new TileRect(0, 0, 0, 2, 1), 2, 1);
    assertEquals(4, tile.channels());
    assertArrayEquals(new byte[] {0, 0, (byte) 255, (byte) 255, (byte) 255, 0, 0, (byte) 128}, tile.pixels());
  }

  @Test
  void sixteenBitInputIsScaledTo8BitsExactly() throws Exception {
    // 257 * k is exactly k in 8 bits; 65535 is 255.
    Mat sixteen = new Mat(1, 3, CvType.CV_16UC1);
    sixteen.put(0, 0, new short[] {0, (short) (257 * 100), (short) 65535});
    MatOfByte png = new MatOfByte();
    assertTrue(Imgcodecs.imencode(".png", sixteen, png, new MatOfInt()));
    objects.put("deep.png", png.toArray());
    TileImage tile = maker.make(job("j", "deep.png", List.of(new ImageOp.Grayscale())), new TileRect(0, 0, 0, 3, 1),
        3, 1);
    assertArrayEquals(new byte[] {0, 100, (byte) 255}, tile.pixels());
  }

  @Test
  void everyOpKindHasAnImplementation() {
    // OpChain, Geometry, WholeImageOps and Analysis dispatch with instanceof over the sealed set: every op of
    // the registry must get through a tiny image without "no implementation" (detect-faces needs its cascade
    // file, see FaceDetectionTest).
    List<Class<?>> records = new java.util.ArrayList<>();
    java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>(List.of(ImageOp.class.getPermittedSubclasses()));
    while (!todo.isEmpty()) {
      Class<?> c = todo.pop();
      if (c.isInterface()) {
        todo.addAll(List.of(c.getPermittedSubclasses()));
      } else {
        records.add(c);
      }
    }
    java.util.Set<Class<?>> covered = new java.util.HashSet<>();
    for (ImageOp op : OpCatalogExactnessTest.OPS) {
      covered.add(op.getClass());
    }
    covered.add(ImageOp.DetectFaces.class);
    for (Class<?> c : records) {
      assertTrue(covered.contains(c), c.getSimpleName() + " has no case in OpCatalogExactnessTest");
    }
  }
}
