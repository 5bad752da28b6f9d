package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code vips} command line, where it is installed: it blurs and greys a PNG, and its peaks are read. */
class VipsIT {
  @Test
  void blursAndGreysAPngAndGivesEachCommandsPeak(@TempDir Path dir) throws Exception {
    var vips = Vips.find();
    assumeTrue(vips.isPresent(), "vips is not installed (libvips-tools)");
    BufferedImage image = new BufferedImage(96, 64, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 96; x++) {
        image.setRGB(x, y, (x * 5) << 16 | (y * 3) << 8 | (x + y));
      }
    }
    Path in = dir.resolve("in.png");
    ImageIO.write(image, "png", in.toFile());
    Path out = dir.resolve("out.png");
    Vips.Run run = Vips.blurAndGrey(vips.get(), in, 2, out, dir);
    BufferedImage grey = ImageIO.read(out.toFile());
    assertEquals(96, grey.getWidth());
    assertEquals(64, grey.getHeight());
    assertEquals(1, grey.getRaster().getNumBands(), "b-w gives one band");
    assertEquals(2, run.commands().size());
    assertTrue(run.commands().get(0).args().startsWith("gaussblur "), run.commands().get(0).args());
    // A process's peak resident set holds at least its program and libraries: more than a megabyte.
    run.commands().forEach(c -> assertTrue(c.peakBytes() > 1_000_000, c.toString()));
    try (var left = Files.list(dir)) {
      assertEquals(2, left.count(), "only the input and the output are left");
    }
  }
}
