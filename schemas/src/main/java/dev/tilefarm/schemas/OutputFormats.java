package dev.tilefarm.schemas;

/**
 * Which job may write which {@link ImageFormat}, and at how many bits: the one place a job's output extension,
 * {@code "bitDepth"} and renderer are checked against each other. Renderers with more than 8 bits (builtin,
 * povray, blender) may write 16-bit PNG and TIFF; float renders (builtin, blender) write EXR; process jobs
 * (8-bit pixels) write PNG, JPEG, TIFF and WebP.
 */
final class OutputFormats {
  private OutputFormats() {}

  /** The format of {@code output}, or PNG (the farm's default output) when there is none. */
  static ImageFormat of(S3Uri output) {
    return output == null ? ImageFormat.PNG : ImageFormat.forExtension(output.extension());
  }

  /** The {@link JobRequest.Render#bitDepth} of a render job, reading its {@code "bitDepth"}. */
  static int renderBitDepth(Fields f, Renderer renderer, SceneSpec scene, S3Uri output) {
    ImageFormat format = of(output);
    boolean linear16 = scene instanceof SceneSpec.Builtin b && b.linear16();
    boolean given = f.has("bitDepth");
    int bits = f.integer("bitDepth", 8, 16, 8);
    if (bits != 8 && bits != 16) {
      throw f.error("bitDepth", "must be 8 or 16, got " + bits);
    }
    switch (format) {
      case EXR -> {
        if (renderer != Renderer.BUILTIN && renderer != Renderer.BLENDER) {
          throw f.error("output", "'" + output + "' is OpenEXR, float samples, which only the builtin and blender "
              + "renderers make; for " + renderer.id() + " write a .png or .tif output"
              + (renderer == Renderer.POVRAY ? " with \"bitDepth\": 16" : ""));
        }
        if (given) {
          throw f.error("bitDepth", "is for .png and .tif outputs; an .exr output always holds half floats");
        }
        if (linear16) {
          throw new InvalidJobException(null, "scene.encoding", "\"linear16\" is for .png and .tif outputs; an .exr "
              + "output holds linear radiance already");
        }
        return JobRequest.Render.FLOAT;
      }
      case WEBP -> throw f.error("output", "'" + output + "' is WebP, which is for process jobs; a render writes "
          + ".png, .tif, .jpg or .exr");
      case JPEG -> {
        if (linear16) {
          // JPEG has no 16-bit samples; refusing now beats a render whose bits the encoder would throw away.
          throw new InvalidJobException(null, "scene.encoding", "\"linear16\" needs a .png or .tif output, not '"
              + output + "'");
        }
        if (bits == 16) {
          throw f.error("bitDepth", "16 needs a .png or .tif output; JPEG holds 8 bits, not '" + output + "'");
        }
        return 8;
      }
      case PNG, TIFF -> {
        if (bits == 16 && renderer == Renderer.MANDELBROT) {
          throw f.error("bitDepth", "the mandelbrot renderer makes 8-bit colours; 16 bits come from "
              + "builtin, povray and blender");
        }
        return linear16 ? 16 : bits;
      }
    }
    throw new IllegalStateException("no rule for " + format);
  }

  /** Checks a process job's output: its pixels are 8-bit. */
  static void checkProcess(Fields f, S3Uri output) {
    if (of(output) == ImageFormat.EXR) {
      throw f.error("output", "'" + output + "' is OpenEXR, float samples, which only builtin and blender renders "
          + "make; a process job's pixels are 8-bit: write .png, .tif, .webp or .jpg");
    }
  }
}
