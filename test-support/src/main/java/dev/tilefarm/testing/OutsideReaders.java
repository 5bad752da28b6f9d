package dev.tilefarm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's image tools, run on files the encoders wrote: readers that share no code with them. Each is in .ci/run's
 * package list (openexr, libtiff-tools, webp); a missing one fails the test naming its package.
 */
public final class OutsideReaders {
  private OutsideReaders() {}

  /**
   * The pixels of a TIFF as libtiff decodes them (tiffcp writes an uncompressed copy) and the JDK's TIFF reader
   * then reads them: {@code width * height * channels} samples of 8 or 16 bits.
   */
  public static int[] tiffSamples(Path tiff) throws IOException, InterruptedException {
    Path plain = tiff.resolveSibling(tiff.getFileName() + ".plain.tif");
    run("libtiff-tools", "tiffcp", "-c", "none", tiff.toString(), plain.toString());
    java.awt.image.Raster raster = javax.imageio.ImageIO.read(plain.toFile()).getRaster();
    return raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null);
  }

  /** Runs {@code command}, which must exit 0 within a minute, and returns what it printed (stdout and stderr). */
  public static String run(String pkg, String... command) throws IOException, InterruptedException {
    assertTrue(Files.isExecutable(Path.of("/usr/bin", command[0])), "/usr/bin/" + command[0]
        + " is missing: install Debian's " + pkg + " (.ci/run does)");
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, "/usr/bin/" + command[0]);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES), String.join(" ", command) + " did not finish");
    assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
    return out;
  }

  /**
   * The pixels of a lossless WebP as libwebp's dwebp decodes them (to a PAM file: RGBA, 8 bits), as
   * {@code width * height * 4} bytes.
   */
  public static byte[] dwebpRgba(Path webp, int width, int height) throws IOException, InterruptedException {
    Path pam = webp.resolveSibling(webp.getFileName() + ".pam");
    run("webp", "dwebp", webp.toString(), "-pam", "-o", pam.toString());
    byte[] all = Files.readAllBytes(pam);
    String head = new String(all, 0, Math.min(all.length, 200), StandardCharsets.US_ASCII);
    int end = head.indexOf("ENDHDR\n") + "ENDHDR\n".length();
    assertTrue(head.startsWith("P7\n") && head.contains("WIDTH " + width + "\n") && head.contains("HEIGHT " + height
        + "\n") && head.contains("DEPTH 4\n") && head.contains("MAXVAL 255\n"), head);
    byte[] pixels = new byte[width * height * 4];
    System.arraycopy(all, end, pixels, 0, pixels.length);
    assertEquals(end + pixels.length, all.length, "PAM size");
    return pixels;
  }
}
