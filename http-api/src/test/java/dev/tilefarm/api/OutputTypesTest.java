package dev.tilefarm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.TileCodec;
import dev.tilefarm.store.TileImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Outputs are served with their format's type; tiles of 16 bits and floats preview as 8-bit PNGs. */
class OutputTypesTest {
  @ParameterizedTest
  @CsvSource({"PNG,x.png,image/png", "JPEG,x.jpeg,image/jpeg", "TIFF,x.tif,image/tiff", "EXR,x.exr,image/x-exr",
      "WEBP,x.webp,image/webp", ",x.TIFF,image/tiff", "GIF,x.gif,application/octet-stream"})
  void anOutputIsServedWithItsFormatsType(String format, String key, String type) {
    JobEvent.Completed c = new JobEvent.Completed("j", 1, S3Uri.parse("s3://bucket/" + key), format, "ab", 1, 1, 1, 1,
        null);
    assertEquals(type, OutputServing.contentType(c));
  }

  @Test
  void sixteenBitTilesPreviewWithTheirHighByte() throws Exception {
    byte[] px = {(byte) 0xAB, 0x01, 0x00, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    BufferedImage image = read(TilePng.fromTileObject(TileCodec.encode(new TileImage(1, 1, 3, 16, px))));
    assertEquals(0xAB00FF, image.getRGB(0, 0) & 0xFFFFFF);
  }

  @Test
  void floatTilesPreviewClampedAndSrgbEncoded() throws Exception {
    // 0.2140 linear is sRGB 0.5 (127.5 -> 128 after rounding; the sRGB curve, not this code, gives the figure).
    byte[] px = ByteBuffer.allocate(12).putFloat(0f).putFloat(0.21404114f).putFloat(7.5f).array();
    BufferedImage image = read(TilePng.fromTileObject(TileCodec.encode(new TileImage(1, 1, 3, TileImage.FLOAT, px))));
    assertEquals(0x0080FF, image.getRGB(0, 0) & 0xFFFFFF);
  }

  private static BufferedImage read(byte[] png) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(png));
  }
}
