package dev.tilefarm.worker.render.path;

import java.nio.charset.StandardCharsets;

/**
 * A Radiance RGBE picture ({@code .hdr}, Greg Ward's format): linear RGB floats, rows top to bottom. Reads
 * the header, the standard {@code -Y H +X W} orientation (and {@code +Y}, bottom-up) and scanlines that are
 * flat or in the "new" run-length encoding; anything else is refused with a reason.
 */
final class HdrImage {
  /** No map may claim more texels than this by default; guards against hostile headers. */
  static final long MAX_PIXELS = 1L << 26;
  /** Fewest bytes a run-length encoded scanline can take: its 4-byte start, then per channel one 2-byte run per 127 pixels. */
  private static int minScanline(int width) {
    return width >= 8 && width < 0x8000 ? 4 + 4 * 2 * ((width + 126) / 127) : 4 * width;
  }

  final int width;
  final int height;
  /** r, g, b per pixel, rows top to bottom. */
  final float[] rgb;

  private HdrImage(int width, int height, float[] rgb) {
    this.width = width;
    this.height = height;
    this.rgb = rgb;
  }

  static HdrImage read(byte[] data) {
    return read(data, MAX_PIXELS);
  }

  /**
   * Reads a map of at most {@code maxPixels} pixels; its size and the least data that size needs are checked
   * against the header and the file before anything is allocated.
   */
  static HdrImage read(byte[] data, long maxPixels) {
    int[] at = {0};
    String magic = line(data, at);
    if (!magic.startsWith("#?RADIANCE") && !magic.startsWith("#?RGBE")) {
      throw new IllegalArgumentException("not a Radiance HDR file (it starts with '" + shorten(magic) + "')");
    }
    while (true) {
      String l = line(data, at);
      if (l.isEmpty()) {
        break;
      }
      if (l.startsWith("FORMAT=") && !l.equals("FORMAT=32-bit_rle_rgbe")) {
        throw new IllegalArgumentException("unsupported HDR pixel format '" + l.substring(7) + "' (only 32-bit_rle_rgbe)");
      }
    }
    String[] res = line(data, at).trim().split("\\s+");
    if (res.length != 4 || !res[2].equals("+X") || !(res[0].equals("-Y") || res[0].equals("+Y"))) {
      throw new IllegalArgumentException("unsupported HDR orientation '" + String.join(" ", res)
          + "' (only -Y H +X W and +Y H +X W)");
    }
    int height;
    int width;
    try {
      height = Integer.parseInt(res[1]);
      width = Integer.parseInt(res[3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad HDR resolution line '" + String.join(" ", res) + "'");
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("HDR image of " + width + "x" + height + " pixels is empty");
    }
    if ((long) width * height > maxPixels) {
      throw new IllegalArgumentException("HDR image is " + width + "x" + height + " = " + (long) width * height
          + " pixels; a scene's images may have at most " + maxPixels + " pixels (worker.max-texture-pixels)");
    }
    long least = (long) height * minScanline(width);
    if (data.length - at[0] < least) {
      throw new IllegalArgumentException("HDR file is truncated: a " + width + "x" + height + " image needs at least "
          + least + " bytes of pixels, it has " + (data.length - at[0]));
    }
    boolean bottomUp = res[0].equals("+Y");
    float[] rgb = new float[3 * width * height];
    byte[] scan = new byte[4 * width];
    int p = at[0];
    for (int y = 0; y < height; y++) {
      p = scanline(data, p, scan, width, y);
      int row = bottomUp ? height - 1 - y : y;
      for (int x = 0; x < width; x++) {
        int e = scan[4 * x + 3] & 0xff;
        int o = 3 * (row * width + x);
        if (e == 0) {
          rgb[o] = rgb[o + 1] = rgb[o + 2] = 0;
        } else {
          double f = Math.scalb(1.0, e - 136);
          rgb[o] = (float) ((scan[4 * x] & 0xff) * f);
          rgb[o + 1] = (float) ((scan[4 * x + 1] & 0xff) * f);
          rgb[o + 2] = (float) ((scan[4 * x + 2] & 0xff) * f);
        }
      }
    }
    return new HdrImage(width, height, rgb);
  }

  /** Decodes one scanline into {@code scan} (r, g, b, e per pixel) and returns the offset after it. */
  private static int scanline(byte[] d, int p, byte[] scan, int width, int y) {
    need(d, p, 4, y);
    boolean rle = width >= 8 && width < 0x8000 && d[p] == 2 && d[p + 1] == 2 && (d[p + 2] & 0x80) == 0;
    if (!rle) {
      if ((d[p] & 0xff) == 1 && (d[p + 1] & 0xff) == 1 && (d[p + 2] & 0xff) == 1) {
        throw new IllegalArgumentException("HDR scanline " + y + " uses the old run-length encoding, which is not supported");
      }
      need(d, p, 4 * width, y);
      System.arraycopy(d, p, scan, 0, 4 * width);
      return p + 4 * width;
    }
    int declared = ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
    if (declared != width) {
      throw new IllegalArgumentException("HDR scanline " + y + " declares width " + declared + ", not " + width);
    }
    p += 4;
    for (int c = 0; c < 4; c++) {
      int x = 0;
      while (x < width) {
        need(d, p, 1, y);
        int n = d[p++] & 0xff;
        if (n > 128) {
          n -= 128;
          if (n > width - x) {
            throw new IllegalArgumentException("HDR scanline " + y + " has a run past its end");
          }
          need(d, p, 1, y);
          byte v = d[p++];
          for (int i = 0; i < n; i++) {
            scan[4 * x++ + c] = v;
          }
        } else {
          if (n == 0 || n > width - x) {
            throw new IllegalArgumentException("HDR scanline " + y + " has a bad literal count " + n);
          }
          need(d, p, n, y);
          for (int i = 0; i < n; i++) {
            scan[4 * x++ + c] = d[p++];
          }
        }
      }
    }
    return p;
  }

  private static void need(byte[] d, int p, int n, int y) {
    if (p + n > d.length) {
      throw new IllegalArgumentException("HDR file is truncated at scanline " + y);
    }
  }

  private static String line(byte[] d, int[] at) {
    int start = at[0];
    int i = start;
    while (i < d.length && d[i] != '\n') {
      if (i - start > 4096) {
        throw new IllegalArgumentException("HDR header line longer than 4096 bytes");
      }
      i++;
    }
    if (i >= d.length) {
      throw new IllegalArgumentException("HDR header ends before its resolution line");
    }
    at[0] = i + 1;
    return new String(d, start, i - start, StandardCharsets.ISO_8859_1);
  }

  private static String shorten(String s) {
    return s.length() > 20 ? s.substring(0, 20) + "..." : s;
  }
}
