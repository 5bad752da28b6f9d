package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.ImageFormat;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageAssemblerTest {
  private static final S3Uri PNG_OUT = S3Uri.parse("s3://out/a.png");
  private static final S3Uri JPG_OUT = S3Uri.parse("s3://out/a.jpg");

  @TempDir
  Path work;
  private final TestImages.MemoryStore store = new TestImages.MemoryStore();
  private ImageAssembler assembler;

  private ImageAssembler assembler(TileSource source) {
    assembler = new ImageAssembler(source, store, work.resolve("assembly"), 3);
    return assembler;
  }

  @AfterEach
  void closeAssembler() throws IOException {
    if (assembler != null) {
      assembler.close();
    }
    // Whatever happened, no temporary image is left behind.
    if (Files.isDirectory(work.resolve("assembly"))) {
      try (Stream<Path> left = Files.list(work.resolve("assembly"))) {
        assertEquals(List.of(), left.toList());
      }
    }
  }

  private static S3Uri tileUri(int i) {
    return S3Uri.parse("s3://farm/tiles/j/" + i + ".tft");
  }

  private AssemblyRequest request(TileImage image, List<TileRect> rects, S3Uri output) {
    store.putTiles(image, rects, ImageAssemblerTest::tileUri);
    return new AssemblyRequest("j", image.width(), image.height(), image.channels(), output,
        ImageFormat.forExtension(output.extension()), rects.stream().map(r -> new TilePart(r, tileUri(r.index()))).toList());
  }

  @Test
  void pngOfAGridIsTheSourceImage() throws Exception {
    TileImage image = TestImages.image(203, 117, 4, 11);
    AssembledImage out = assembler(store).assemble(request(image, TestImages.grid(203, 117, 32), PNG_OUT));
    TestImages.MemoryStore.Stored stored = store.written.get(PNG_OUT);
    assertEquals("image/png", stored.contentType());
    assertArrayEquals(image.pixels(), TestImages.decode(stored.bytes()).pixels());
    assertEquals(stored.bytes().length, out.bytes());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored.bytes())), out.sha256());
    assertEquals(7 * 4, out.tiles());
  }

  @Test
  void anyTilingOfTheSameImageGivesTheSameBytes() {
    TileImage image = TestImages.image(150, 90, 3, 12);
    byte[] bySixteen = pngOf(image, TestImages.grid(150, 90, 16));
    byte[] byFortyOne = pngOf(image, TestImages.grid(150, 90, 41));
    // Irregular: a tall tile beside two short ones.
    byte[] irregular = pngOf(image, List.of(new TileRect(0, 0, 0, 50, 90), new TileRect(1, 50, 0, 100, 30),
        new TileRect(2, 50, 30, 100, 60)));
    assertArrayEquals(bySixteen, byFortyOne);
    assertArrayEquals(bySixteen, irregular);
    assertArrayEquals(image.pixels(), TestImages.decode(irregular).pixels());
  }

  private byte[] pngOf(TileImage image, List<TileRect> rects) {
    store.tiles.clear();
    try (ImageAssembler a = new ImageAssembler(store, store, work.resolve("assembly"), 2)) {
      a.assemble(request(image, rects, PNG_OUT));
    }
    return store.written.get(PNG_OUT).bytes();
  }

  @Test
  void jpegDropsAlphaAndKeepsTheColours() {
    TileImage image = TestImages.smooth(120, 80, 4);
    AssembledImage out = assembler(store).assemble(request(image, TestImages.grid(120, 80, 25), JPG_OUT));
    assertEquals(ImageFormat.JPEG, out.format());
    TestImages.MemoryStore.Stored stored = store.written.get(JPG_OUT);
    assertEquals("image/jpeg", stored.contentType());
    TileImage decoded = TestImages.decode(stored.bytes());
    assertEquals(3, decoded.channels());
    assertTrue(TestImages.maxDifference(image, decoded, 3) <= 12, "quality 92 on a smooth image");
  }

  @Test
  void greyJpeg() {
    TileImage image = TestImages.smooth(64, 64, 1);
    assembler(store).assemble(request(image, TestImages.grid(64, 64, 20), JPG_OUT));
    TileImage decoded = TestImages.decode(store.written.get(JPG_OUT).bytes());
    assertEquals(1, decoded.channels());
    assertTrue(TestImages.maxDifference(image, decoded, 1) <= 8);
  }

  @Test
  void aMissingTileIsNamedAndNothingIsWritten() {
    TileImage image = TestImages.image(40, 40, 3, 13);
    AssemblyRequest req = request(image, TestImages.grid(40, 40, 10), PNG_OUT);
    store.tiles.remove(tileUri(9));
    var e = assertThrows(AssemblyFailedException.class, () -> assembler(store).assemble(req));
    assertEquals(9, e.tile());
    assertEquals(tileUri(9) + " does not exist", e.reason());
    assertTrue(store.written.isEmpty());
  }

  @Test
  void aCorruptTileIsNamed() {
    TileImage image = TestImages.image(40, 40, 3, 14);
    AssemblyRequest req = request(image, TestImages.grid(40, 40, 10), PNG_OUT);
    store.tiles.put(tileUri(6), new byte[] {1, 2, 3});
    var e = assertThrows(AssemblyFailedException.class, () -> assembler(store).assemble(req));
    assertEquals(6, e.tile());
    assertTrue(e.reason().contains("is corrupt"), e.reason());
  }

  @Test
  void aTileOfTheWrongSizeIsNamed() {
    TileImage image = TestImages.image(40, 40, 3, 15);
    AssemblyRequest req = request(image, TestImages.grid(40, 40, 10), PNG_OUT);
    store.tiles.put(tileUri(2), TileCodec.encode(TestImages.image(10, 9, 3, 1)));
    var e = assertThrows(AssemblyFailedException.class, () -> assembler(store).assemble(req));
    assertEquals(2, e.tile());
    assertEquals(tileUri(2) + " holds 10x9x3 pixels but the tile is 10x10x3", e.reason());
  }

  @Test
  void aStorageOutageMayPassAndARefusalMayNot() {
    TileImage image = TestImages.image(20, 20, 1, 16);
    AssemblyRequest req = request(image, TestImages.grid(20, 20, 10), PNG_OUT);
    TileSource down = uri -> {
      throw new BlobStoreException("reading " + uri + ": 503 Slow Down", true, null);
    };
    assertThrows(StorageUnavailableException.class, () -> assembler(down).assemble(req));
    assembler.close();
    TileSource denied = uri -> {
      throw new BlobStoreException("reading " + uri + ": 403 Access Denied", false, null);
    };
    var e = assertThrows(AssemblyFailedException.class, () -> assembler(denied).assemble(req));
    assertEquals(0, e.tile());
    assertTrue(store.written.isEmpty());
  }

  @Test
  void aFailedUploadIsReportedByKind() {
    TileImage image = TestImages.image(20, 20, 1, 17);
    AssemblyRequest req = request(image, TestImages.grid(20, 20, 10), PNG_OUT);
    try (ImageAssembler a = new ImageAssembler(store, (uri, file, type, job) -> {
      throw new BlobStoreException("writing " + uri + ": 500", true, null);
    }, work.resolve("assembly"), 1)) {
      assertThrows(StorageUnavailableException.class, () -> a.assemble(req));
    }
    try (ImageAssembler a = new ImageAssembler(store, (uri, file, type, job) -> {
      throw new BlobStoreException("writing " + uri + ": 403 Access Denied", false, null);
    }, work.resolve("assembly"), 1)) {
      var e = assertThrows(AssemblyFailedException.class, () -> a.assemble(req));
      assertNull(e.tile());
    }
  }

  @Test
  void aJpegTooLargeForMemoryIsRefusedBeforeAnyTileIsRead() {
    int side = 40_000;
    AssemblyRequest req = new AssemblyRequest("j", side, side, 1, JPG_OUT, ImageFormat.JPEG,
        List.of(new TilePart(new TileRect(0, 0, 0, side, side), tileUri(0))));
    TileSource never = uri -> {
      throw new AssertionError("read " + uri);
    };
    var e = assertThrows(AssemblyFailedException.class, () -> assembler(never).assemble(req));
    assertNull(e.tile());
    assertTrue(e.reason().contains("write a .png output"), e.reason());
  }
}
