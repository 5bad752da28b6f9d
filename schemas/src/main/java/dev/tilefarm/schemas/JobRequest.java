package dev.tilefarm.schemas;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A job as published on the jobs topic, decoded and checked by {@link JobCodec}. Field meanings and
 * ranges are those of {@code schemas/job-request.schema.json}.
 */
public sealed interface JobRequest permits JobRequest.Render, JobRequest.Process, JobRequest.Encode {
  /** Job ids are safe in object keys and log lines. */
  Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  int MIN_TILE = 8;
  int MAX_TILE = 4096;
  int MAX_SIDE = 65_536;
  /** Longest time limit a job may ask for, in seconds (a week). */
  int MAX_TIME_LIMIT = 7 * 24 * 3600;
  /** Most tries of one tile a job may ask for ({@code "maxAttempts"}); the workers' own bound applies too. */
  int MAX_ATTEMPTS = 100;

  String id();

  /** The requested tile side in pixels, or 0 for the splitter's default. */
  int tileSize();

  /** Where the finished image goes, or null for the farm's default location. */
  S3Uri output();

  /** "render", "process" or "video". */
  String type();

  /**
   * How long the job may run, in seconds from its acceptance (1 to {@link #MAX_TIME_LIMIT}), or 0 for no limit:
   * when it runs out the job FAILS, and its tasks carry the moment as their deadline.
   */
  int timeLimit();

  /** The moment the job's time runs out if it is accepted at {@code acceptedAt} (epoch ms), or null: no limit. */
  default Long deadline(long acceptedAt) {
    return timeLimit() == 0 ? null : acceptedAt + timeLimit() * 1000L;
  }

  private static void checkTimeLimit(int timeLimit) {
    if (timeLimit < 0 || timeLimit > MAX_TIME_LIMIT) {
      throw new IllegalArgumentException("timeLimit " + timeLimit + " is not from 0 (none) to " + MAX_TIME_LIMIT);
    }
  }

  /**
   * Renders an image of {@code width x height} pixels from a scene; with a {@link Frames#sequence()} frame
   * range, one such image per frame, each written to {@code output} with its frame number filled in.
   *
   * @param frames the frame(s) to render, or null for the scene's own (only povray and blender take frames)
   * @param bitDepth bits a sample of the tiles and the image: 8, 16 (the job's {@code "bitDepth": 16}) or
   *     {@link #FLOAT} (an .exr output: 32-bit float linear radiance in the tiles, half floats in the file)
   */
  record Render(String id, int width, int height, Renderer renderer, SceneSpec scene, int samples, long seed,
      int tileSize, S3Uri output, Frames frames, int timeLimit, int bitDepth, Video video)
      implements JobRequest {
    /** The {@link #bitDepth} of float samples. */
    public static final int FLOAT = 32;

    public Render {
      java.util.Objects.requireNonNull(renderer, "renderer");
      checkTimeLimit(timeLimit);
      if (bitDepth != 8 && bitDepth != 16 && bitDepth != FLOAT) {
        throw new IllegalArgumentException("bitDepth " + bitDepth + " is not 8, 16 or " + FLOAT + " (float)");
      }
      if (video != null && (frames == null || !frames.sequence())) {
        throw new IllegalArgumentException("a video is made of an animation's frames; job " + id + " has none");
      }
    }

    /** An 8-bit job that makes no video. */
    public Render(String id, int width, int height, Renderer renderer, SceneSpec scene, int samples, long seed,
        int tileSize, S3Uri output, Frames frames, int timeLimit) {
      this(id, width, height, renderer, scene, samples, seed, tileSize, output, frames, timeLimit, 8, null);
    }

    /** A job that makes no video. */
    public Render(String id, int width, int height, Renderer renderer, SceneSpec scene, int samples, long seed,
        int tileSize, S3Uri output, Frames frames, int timeLimit, int bitDepth) {
      this(id, width, height, renderer, scene, samples, seed, tileSize, output, frames, timeLimit, bitDepth, null);
    }

    /** An 8-bit job. */
    public Render(String id, int width, int height, Renderer renderer, SceneSpec scene, int samples, long seed,
        int tileSize, S3Uri output, Frames frames, int timeLimit, Video video) {
      this(id, width, height, renderer, scene, samples, seed, tileSize, output, frames, timeLimit, 8, video);
    }

    /** A job with no time limit. */
    public Render(String id, int width, int height, Renderer renderer, SceneSpec scene, int samples, long seed,
        int tileSize, S3Uri output, Frames frames) {
      this(id, width, height, renderer, scene, samples, seed, tileSize, output, frames, 0);
    }

    /** A still, as before frames existed. */
    public Render(String id, int width, int height, Renderer renderer, SceneSpec scene, int samples, long seed,
        int tileSize, S3Uri output) {
      this(id, width, height, renderer, scene, samples, seed, tileSize, output, null);
    }

    /** How many images the job makes: its frames, or 1. */
    public int frameCount() {
      return frames == null ? 1 : frames.count();
    }

    @Override
    public String type() {
      return "render";
    }
  }

  /**
   * The frames {@code start, start + step, ... <= end} of an animation (Blender frame numbers; for POV-Ray
   * the frame sets {@code clock}). {@code sequence} false is a single still of frame {@code start} (the job
   * gave {@code "frame"}), whose output is an ordinary image; true makes one image per frame, at the job's
   * output with its run of {@code #} replaced by the zero-padded frame number ({@link #outputOf}).
   * {@code preview} (the job's {@code "frameOrder": "preview"}) makes the frames in {@link #previewOrder()}
   * instead of first to last.
   */
  record Frames(int start, int end, int step, boolean sequence, boolean preview) {
    public static final int MIN_FRAME = -1_048_574;
    public static final int MAX_FRAME = 1_048_574;
    /** Most frames in one job: each frame is one image the compositor assembles. */
    public static final int MAX_FRAMES = 10_000;

    public Frames {
      if (start < MIN_FRAME || end > MAX_FRAME || end < start || step < 1 || (!sequence && end != start)) {
        throw new IllegalArgumentException("bad frames " + start + ".." + end + " step " + step);
      }
      if (count(start, end, step) > MAX_FRAMES) {
        throw new IllegalArgumentException("frames " + start + ".." + end + " step " + step + " are more than "
            + MAX_FRAMES);
      }
      if (preview && !sequence) {
        throw new IllegalArgumentException("a still of frame " + start + " has no frame order");
      }
    }

    /** Frames made first to last. */
    public Frames(int start, int end, int step, boolean sequence) {
      this(start, end, step, sequence, false);
    }

    /**
     * The order the frames are made in, as indices (from 0): first to last, or for {@code preview} the first,
     * the last and the middle frame, then the middles of the gaps left, halving them until every frame is
     * in (frames 1..9: 1, 9, 5, 3, 7, 2, 4, 6, 8), so the whole shot can be seen coarsely early.
     */
    public int[] order() {
      return preview ? previewOrder(count()) : java.util.stream.IntStream.range(0, count()).toArray();
    }

    /**
     * Preview order of {@code n} frames: 0 and {@code n - 1}, then breadth first the middle (rounded down) of
     * each gap between frames already ordered, gaps taken left to right.
     */
    static int[] previewOrder(int n) {
      int[] out = new int[n];
      if (n == 0) {
        return out;
      }
      int k = 0;
      out[k++] = 0;
      if (n == 1) {
        return out;
      }
      out[k++] = n - 1;
      java.util.ArrayDeque<int[]> gaps = new java.util.ArrayDeque<>();
      gaps.add(new int[] {0, n - 1});
      while (!gaps.isEmpty()) {
        int[] gap = gaps.poll();
        if (gap[1] - gap[0] < 2) {
          continue;
        }
        int mid = (gap[0] + gap[1]) >>> 1;
        out[k++] = mid;
        gaps.add(new int[] {gap[0], mid});
        gaps.add(new int[] {mid, gap[1]});
      }
      return out;
    }

    public int count() {
      return (int) count(start, end, step);
    }

    /** The frame number of the {@code i}-th frame (from 0). */
    public int number(int i) {
      return start + i * step;
    }

    private static long count(int start, int end, int step) {
      return ((long) end - start) / step + 1;
    }

    /**
     * The image of frame {@code frame} for an output pattern: the last run of {@code #} in the key becomes
     * the frame number, zero-padded to the run's length ({@code shot/frame-####.png}, frame 7:
     * {@code shot/frame-0007.png}; a minus sign goes before the zeros).
     */
    public static S3Uri outputOf(S3Uri pattern, int frame) {
      String key = pattern.key();
      int end = key.lastIndexOf('#');
      if (end < 0) {
        throw new IllegalArgumentException(pattern + " has no '#' for the frame number");
      }
      int begin = end;
      while (begin > 0 && key.charAt(begin - 1) == '#') {
        begin--;
      }
      int width = end - begin + 1;
      String digits = String.valueOf(Math.abs(frame));
      String padded = "0".repeat(Math.max(0, width - digits.length())) + digits;
      return new S3Uri(pattern.bucket(), key.substring(0, begin) + (frame < 0 ? "-" : "") + padded
          + key.substring(end + 1));
    }
  }

  /**
   * A video of an animation's frames, encoded with ffmpeg once every frame is assembled: H.264 in an MP4 or a
   * QuickTime (MOV) file, {@code fps} frames a second, one video frame per rendered frame in frame order. It is
   * stored beside the frames ({@link #outputOf}).
   */
  record Video(String format, int fps) {
    public static final List<String> FORMATS = List.of("mp4", "mov");
    public static final int MAX_FPS = 120;

    public Video {
      if (!FORMATS.contains(format)) {
        throw new IllegalArgumentException("video format '" + format + "' is not one of " + FORMATS);
      }
      if (fps < 1 || fps > MAX_FPS) {
        throw new IllegalArgumentException("video fps " + fps + " is not from 1 to " + MAX_FPS);
      }
    }

    /** The MIME type of the video file. */
    public String contentType() {
      return format.equals("mp4") ? "video/mp4" : "video/quicktime";
    }

    /**
     * Where the video of frames written to {@code pattern} goes: the pattern with its last run of {@code #} (and
     * a '-', '_' or '.' just before it) taken out and its extension made the format's
     * ({@code s3://b/shot/frame-####.png} -> {@code s3://b/shot/frame.mp4}; a name left empty is {@code video}).
     */
    public S3Uri outputOf(S3Uri pattern) {
      String key = pattern.key();
      int end = key.lastIndexOf('#');
      int begin = end;
      while (begin > 0 && key.charAt(begin - 1) == '#') {
        begin--;
      }
      if (begin > 0 && "-_.".indexOf(key.charAt(begin - 1)) >= 0) {
        begin--;
      }
      String rest = key.substring(end + 1);
      int dot = rest.lastIndexOf('.');
      String stem = key.substring(0, begin) + (dot < 0 ? rest : rest.substring(0, dot));
      if (stem.isEmpty() || stem.endsWith("/")) {
        stem += "video";
      }
      return new S3Uri(pattern.bucket(), stem + "." + format);
    }
  }

  /**
   * Runs a chain of image ops over an existing image. {@code input} is null only while it is another job's output
   * not known yet ({@code "input": "job:JOB_ID"}, see {@link JobLinks}): the splitter fills it in before planning.
   */
  record Process(String id, S3Uri input, List<ImageOp> ops, int tileSize, S3Uri output, int timeLimit)
      implements JobRequest {
    public Process {
      ops = List.copyOf(ops);
      checkTimeLimit(timeLimit);
    }

    /** A job with no time limit. */
    public Process(String id, S3Uri input, List<ImageOp> ops, int tileSize, S3Uri output) {
      this(id, input, ops, tileSize, output, 0);
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

  /**
   * Encodes the frames of an animation into a video, a job of its own ({@code "type": "video"}): one video task on
   * the ffmpeg lane, as an animation's own {@link Render#video()} is. {@code input} is the frames' output pattern
   * ({@link Frames#outputOf}) and {@code frames} their numbers; both are null while they are another job's frames not
   * known yet ({@code "input": "job:JOB_ID"}, see {@link JobLinks}): the splitter fills them in from that animation
   * when it completes, before planning.
   *
   * @param output where the video goes (its extension the format's), or null for the farm's default
   *     ({@code s3://BUCKET/outputs/ID.mp4})
   */
  record Encode(String id, S3Uri input, Frames frames, Video video, S3Uri output, int timeLimit) implements JobRequest {
    public Encode {
      java.util.Objects.requireNonNull(video, "video");
      checkTimeLimit(timeLimit);
      if ((input == null) != (frames == null)) {
        throw new IllegalArgumentException("a video job's input and frames come together, got " + input + " and "
            + frames);
      }
      if (frames != null && !frames.sequence()) {
        throw new IllegalArgumentException("a video is made of an animation's frames, not a still");
      }
    }

    /** A video job has no tiles: its one task is the video. */
    @Override
    public int tileSize() {
      return 0;
    }

    @Override
    public String type() {
      return "video";
    }
  }
}
