package dev.tilefarm.worker.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.worker.TileFailedException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/** Inputs in every format OpenCV reads for the farm (PNG, JPEG, TIFF, WebP; 8/16-bit; grey, RGB, RGBA) run exactly. */
class InputFormatsTest {
  static {
    OpenCv.load();
  }

  @ParameterizedTest(name = "{0} with {1} channels, 16-bit {2}")
  @CsvSource({".png,1,false", ".png,4,true", ".jpg,3,false", ".jpg,1,false", ".tiff,3,true", ".tiff,4,false",
      ".webp,3,false", ".webp,4,false"})
  void everyFormatProcessesExactly(String extension, int channels, boolean sixteen) throws Exception {
    Mat m = sixteen ? TestImages.textured16(97, 61, channels, 7) : TestImages.textured(97, 61, channels, 7);
    MatOfByte encoded = new MatOfByte();
    MatOfInt params = extension.equals(".webp") ? new MatOfInt(Imgcodecs.IMWRITE_WEBP_QUALITY, 101) : new MatOfInt();
    assertTrue(Imgcodecs.imencode(extension, m, encoded, params), "OpenCV writes " + extension);
    byte[] bytes = encoded.toArray();
    List<ImageOp> chain = List.of(new ImageOp.GaussianBlur(1.2), new ImageOp.Clahe(4, 3));
    assertArrayEquals(Reference.of(bytes, chain).pixels(), TiledRun.run(bytes, chain, 32).image().pixels());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"garbage,not a readable image", "truncated png,not a readable image"})
  void aCorruptInputFailsWithAReason(String what, String reason) {
    byte[] bytes = what.equals("garbage") ? "hello, not an image".getBytes()
        : java.util.Arrays.copyOf(Reference.png(TestImages.textured(20, 20, 3, 1)), 40);
    TileFailedException e = assertThrows(TileFailedException.class,
        () -> InputDecoder.decode(S3Uri.parse("s3://inputs/x.png"), bytes));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
