package dev.tilefarm.schemas;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A job as published on the jobs topic, decoded and checked by {@link JobCodec}. Field meanings and
 * ranges are those of {@code schemas/job-request.schema.json}.
 */
public sealed interface JobRequest permits JobRequest.Render, JobRequest.Process {
  /** Job ids are safe in object keys and log lines. */
  Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  int MIN_TILE = 8;
  int MAX_TILE = 4096;
  int MAX_SIDE = 65_536;

  String id();

  /** The requested tile side in pixels, or 0 for the splitter's default. */
  int tileSize();

  /** Where the finished image goes, or null for the farm's default location. */
  S3Uri output();

  /** "render" or "process". */
  String type();

  /** Renders an image of {@code width x height} pixels from a scene. */
  record Render(String id, int width, int height, String renderer, SceneSpec scene, int samples, long seed,
      int tileSize, S3Uri output) implements JobRequest {
    public static final List<String> RENDERERS = List.of("mandelbrot", "builtin");

    @Override
    public String type() {
      return "render";
    }
  }

  /** Runs a chain of image ops over an existing image. */
  record Process(String id, S3Uri input, List<ImageOp> ops, int tileSize, S3Uri output) implements JobRequest {
    public Process {
      ops = List.copyOf(ops);
    }

    /** Context each tile needs: the ops' halos add up along the chain. */
    public int halo() {
      return ops.stream().mapToInt(ImageOp::halo).sum();
    }

    /** Channels of the result for an input of {@code channels} channels. */
    public int outputChannels(int channels) {
      int c = channels;
      for (ImageOp op : ops) {
        c = op.outputChannels(c);
      }
      return c;
    }

    @Override
    public String type() {
      return "process";
    }
  }
}
