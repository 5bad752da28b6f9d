package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFormatTest {
  @ParameterizedTest
  @CsvSource({"png,PNG", "PNG,PNG", "Png,PNG", "jpg,JPEG", "JPG,JPEG", "jpeg,JPEG", "JpEg,JPEG"})
  void anExtensionChoosesAFormatInAnyCase(String extension, ImageFormat format) {
    assertEquals(format, ImageFormat.forExtension(extension));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gif", "jpe", "tif", "webp", ".png", "png ", "pngx"})
  void otherExtensionsAreRefusedNamingTheSupportedOnes(String extension) {
    assertEquals("extension '." + extension + "' is not a supported image format (supported: .png, .jpg, .jpeg)",
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
}
