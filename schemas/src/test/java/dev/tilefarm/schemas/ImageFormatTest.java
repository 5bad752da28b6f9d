package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFormatTest {
  @ParameterizedTest
  @CsvSource({"png,PNG", "PNG,PNG", "Png,PNG", "jpg,JPEG", "JPG,JPEG", "jpeg,JPEG", "JpEg,JPEG", "tif,TIFF",
      "TIFF,TIFF", "exr,EXR", "EXR,EXR", "webp,WEBP", "WebP,WEBP"})
  void anExtensionChoosesAFormatInAnyCase(String extension, ImageFormat format) {
    assertEquals(format, ImageFormat.forExtension(extension));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gif", "jpe", "tga", "hdr", ".png", "png ", "pngx"})
  void otherExtensionsAreRefusedNamingTheSupportedOnes(String extension) {
    assertEquals("extension '." + extension + "' is not a supported image format (supported: .png, .jpg, .jpeg, "
        + ".tif, .tiff, .exr, .webp)",
        assertThrows(IllegalArgumentException.class, () -> ImageFormat.forExtension(extension)).getMessage());
  }

  @Test
  void noExtensionIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ImageFormat.forExtension(""));
    assertThrows(IllegalArgumentException.class, () -> ImageFormat.forExtension(null));
  }

  @Test
  void eachFormatHasItsUsualExtension() {
    assertEquals("png", ImageFormat.PNG.extension());
    assertEquals("jpg", ImageFormat.JPEG.extension());
    assertEquals(ImageFormat.JPEG, ImageFormat.forExtension(ImageFormat.JPEG.extension()));
  }

  @Test
  void eachFormatHasItsMimeType() {
    assertEquals("image/png", ImageFormat.PNG.contentType());
    assertEquals("image/jpeg", ImageFormat.JPEG.contentType());
    assertEquals("image/tiff", ImageFormat.TIFF.contentType());
    assertEquals("image/x-exr", ImageFormat.EXR.contentType());
    assertEquals("image/webp", ImageFormat.WEBP.contentType());
  }
}
