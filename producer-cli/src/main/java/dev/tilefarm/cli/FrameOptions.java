package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The frames of {@code render}'s job: one frame of an animated scene ({@code --frame}), or an animation
 * ({@code --frames}, in {@code --frame-order}, its frames also made into a video with {@code --video}).
 */
final class FrameOptions {
  private static final Pattern RANGE = Pattern.compile("(-?\\d+)-(-?\\d+)(?::(\\d+))?");
  private static final Pattern VIDEO = Pattern.compile("([a-z0-9]+)(?::(\\d{1,4}))?");

  @Option(names = "--frame", paramLabel = "N", description = "render frame N (builtin, povray, blender)")
  Integer frame;

  @Option(names = "--frames", paramLabel = "FIRST-LAST[:STEP]",
      description = "render an animation (builtin, povray, blender): one image per frame; OUT must hold a run of '#'"
          + " for the frame number, e.g. -o shot/frame-####.png")
  String frames;

  @Option(names = "--frame-order", paramLabel = "ORDER",
      description = "an animation's frame order: sequential (default) or preview (first, last, middle, then the gaps"
          + " halved)")
  String frameOrder;

  @Option(names = "--video", paramLabel = "FORMAT[:FPS]",
      description = "also encode the animation's frames into a video with ffmpeg: mp4 or mov, at FPS frames a second"
          + " (default 24), e.g. --video mp4:30")
  String video;

  /**
   * Sets in {@code job} the frames given, its image going to {@code output}: an animation's output must hold a run
   * of '#' for the frame number, also when the animation is an {@code external} renderer's scene's own (a POV-Ray
   * INI's frames), unless {@code --frame} picks one of its frames.
   */
  void applyTo(ObjectNode job, Path output, boolean external) throws Main.UsageException {
    if (frame != null && frames != null) {
      throw new Main.UsageException("give --frame or --frames, not both");
    }
    if (frame != null) {
      job.remove("frames"); // one frame of an INI's animation
      job.put("frame", frame);
    }
    if (frames == null && job.hasNonNull("frames") && external && !numbered(output)) {
      throw new Main.UsageException("-o " + output + ": the INI sets an animation (frames "
          + job.get("frames").get("start") + " to " + job.get("frames").get("end") + "), whose output needs a run of"
          + " '#' for the frame number, e.g. shot/frame-####.png; or render one frame with --frame N");
    }
    if (frames != null) {
      Matcher m = RANGE.matcher(frames);
      if (!m.matches()) {
        throw new Main.UsageException("--frames " + frames + ": expected FIRST-LAST or FIRST-LAST:STEP, e.g. 1-24");
      }
      ObjectNode range = job.putObject("frames");
      range.put("start", Integer.parseInt(m.group(1)));
      range.put("end", Integer.parseInt(m.group(2)));
      if (m.group(3) != null) {
        range.put("step", Integer.parseInt(m.group(3)));
      }
      if (!numbered(output)) {
        throw new Main.UsageException("-o " + output + ": an animation's output needs a run of '#' for the frame "
            + "number, e.g. shot/frame-####.png");
      }
    }
    if (frameOrder != null) {
      job.put("frameOrder", frameOrder);
    }
    if (video != null) {
      Matcher m = VIDEO.matcher(video);
      if (!m.matches()) {
        throw new Main.UsageException("--video " + video + ": expected FORMAT or FORMAT:FPS, e.g. mp4:24");
      }
      ObjectNode v = job.putObject("video");
      v.put("format", m.group(1));
      if (m.group(2) != null) {
        v.put("fps", Integer.parseInt(m.group(2)));
      }
    }
  }

  /** Whether the file name holds a run of '#' for the frame number. */
  private static boolean numbered(Path output) {
    return output.getFileName().toString().contains("#");
  }
}
