package dev.tilefarm.schemas;

/**
 * Decodes a video job ({@code "type": "video"}, {@link JobRequest.Encode}): {@code "video"} (its settings, required),
 * {@code "input"} (an animation job's frames, {@code "job:JOB_ID"}, or a frame pattern in storage
 * {@code s3://bucket/shot/frame-####.png} with {@code "frames"} giving their numbers), and an optional
 * {@code "output"} ending in the format's extension. The fields every job has ({@code id}, {@code after},
 * {@code priority}, {@code timeLimit}, {@code maxAttempts}) are {@link JobCodec}'s.
 */
final class VideoJobCodec {
  static final String TYPE = "video";

  private VideoJobCodec() {}

  /** The rest of a video job whose common fields {@link JobCodec} has read ({@code links}, {@code timeLimit}). */
  static JobRequest.Encode decode(Fields f, String id, JobLinks links, int timeLimit) {
    if (f.has("tileSize")) {
      throw f.error("tileSize", "is for render and process jobs: a video job has no tiles");
    }
    if (!f.has("video")) {
      throw f.error("video", "is required: the video's settings, {\"format\": \"mp4\" | \"mov\", \"fps\": N}");
    }
    JobRequest.Video video = JobCodec.videoSettings(f);
    S3Uri input = null;
    JobRequest.Frames frames = null;
    if (links.inputJob() != null) {
      if (f.has("frames")) {
        throw f.error("frames", "are the input job's: give \"frames\" only with an s3:// frame pattern as input");
      }
    } else {
      if (!f.has("input")) {
        throw f.error("input", "is required: \"job:JOB_ID\" (an animation job's frames, once it completed) or "
            + "the frames' s3:// pattern (s3://bucket/shot/frame-####.png) with \"frames\"");
      }
      input = JobCodec.s3(f, "input");
      if (!input.key().contains("#")) {
        throw f.error("input", "'" + input + "' has no run of '#' for the frame number (e.g. "
            + "s3://bucket/shot/frame-####.png), or give \"job:JOB_ID\" for an animation job's frames");
      }
      try {
        ImageFormat.forExtension(input.extension());
      } catch (IllegalArgumentException e) {
        throw f.error("input", e.getMessage());
      }
      if (!f.has("frames")) {
        throw f.error("frames", "is required with an s3:// input: {\"start\", \"end\", \"step\"}, the numbers of "
            + "the frames to encode");
      }
      int[] range = JobCodec.frameRange(f);
      frames = new JobRequest.Frames(range[0], range[1], range[2], true);
    }
    S3Uri output = null;
    if (f.has("output")) {
      output = JobCodec.s3(f, "output");
      if (!output.extension().equals(video.format())) {
        throw f.error("output", "'" + output + "' must end in ." + video.format() + ", the extension of the video's "
            + "format (video.format)");
      }
    }
    return new JobRequest.Encode(id, input, frames, video, output, timeLimit);
  }
}
