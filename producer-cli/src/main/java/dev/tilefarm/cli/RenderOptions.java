package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The settings of a render job that {@code render}'s command line can set (renderer, image size, tiles, samples,
 * seed, bit depth), each over what the scene or job file says.
 */
final class RenderOptions {
  @Option(names = "--size", paramLabel = "WxH", description = "image size (default 640x480, or the job's)")
  String size;

  @Mixin
  TileSizeOption tile;

  @Option(names = "--renderer", paramLabel = "NAME",
      description = "builtin (default), mandelbrot, povray (default for .pov) or blender (default for .blend)")
  String renderer;

  @Option(names = "--samples", paramLabel = "N", description = "paths per pixel (builtin)")
  Integer samples;

  @Option(names = "--seed", paramLabel = "N", description = "random seed (builtin)")
  Long seed;

  @Option(names = "--bit-depth", paramLabel = "8|16",
      description = "bits a sample of a .png or .tif output: 16 for builtin, povray and blender (an .exr output is"
          + " half float already)")
  Integer bitDepth;

  /** Sets in {@code job} the settings given. */
  void applyTo(ObjectNode job) throws Main.UsageException {
    if (renderer != null) {
      job.put("renderer", renderer);
    }
    if (size != null) {
      String[] wh = size.toLowerCase(Locale.ROOT).split("x");
      try {
        job.put("width", Integer.parseInt(wh[0]));
        job.put("height", Integer.parseInt(wh[1]));
      } catch (RuntimeException e) {
        throw new Main.UsageException("--size " + size + ": expected WIDTHxHEIGHT, e.g. 800x600");
      }
    }
    tile.applyTo(job);
    if (samples != null) {
      job.put("samples", samples);
    }
    if (seed != null) {
      job.put("seed", seed);
    }
    if (bitDepth != null) {
      job.put("bitDepth", bitDepth);
    }
  }
}
