package dev.tilefarm.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decodes job requests. Two kinds of fault: bytes that are not a JSON object at all ({@link
 * UndecodableException}: the record goes to the dead-letter topic) and a JSON object that is not a valid
 * job ({@link InvalidJobException}: the job is rejected on the events topic, naming the field).
 */
public final class JobCodec {
  /** A job larger than this is refused before parsing. */
  public static final int MAX_BYTES = 512 * 1024;
  static final int MAX_OPS = 32;
  /** An animation's {@code "frameOrder"}: first to last, or {@link JobRequest.Frames#order() preview} order. */
  static final List<String> FRAME_ORDERS = List.of("sequential", "preview");

  private JobCodec() {}

  /** Parses bytes into a JSON object, or throws {@link UndecodableException}. */
  public static ObjectNode parse(byte[] bytes) {
    if (bytes == null) {
      throw new UndecodableException("the record has no value", null);
    }
    if (bytes.length > MAX_BYTES) {
      throw new UndecodableException("the record is " + bytes.length + " bytes; a job may have at most " + MAX_BYTES, null);
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UndecodableException("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UndecodableException("not valid JSON: " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new UndecodableException("a job must be a JSON object, got " + Fields.describe(node), null);
    }
    return (ObjectNode) node;
  }

  /**
   * The id a job is known by: its {@code "id"} if that is a valid id, else {@code fallbackId}. Used to
   * report even a job too broken to decode under the id its sender expects.
   */
  public static String idOf(JsonNode job, String fallbackId) {
    JsonNode id = job == null ? null : job.get("id");
    if (id != null && id.isTextual() && JobRequest.ID.matcher(id.asText()).matches()) {
      return id.asText();
    }
    return fallbackId;
  }

  /**
   * The cancel request in {@code json}, or null if it is no cancel request (it has no {@code "cancel"}
   * field). A cancel request has exactly the fields {@code cancel} (a job id) and optionally
   * {@code reason}; anything else is an {@link InvalidJobException} naming the field.
   */
  public static JobCancel cancelOf(JsonNode json) {
    if (json == null || !json.isObject() || !json.has("cancel")) {
      return null;
    }
    Fields f = Fields.of(json, "");
    String id = f.string("cancel");
    if (!JobRequest.ID.matcher(id).matches()) {
      throw f.error("cancel", "must be a job id: 1-128 characters of letters, digits, '.', '_' or '-'");
    }
    String reason = f.has("reason") ? f.string("reason") : null;
    if (reason != null && reason.length() > JobCancel.MAX_REASON) {
      throw f.error("reason", "is " + reason.length() + " characters; at most " + JobCancel.MAX_REASON);
    }
    f.done();
    return new JobCancel(id, reason);
  }

  /** Decodes and checks a job; a missing id becomes {@code fallbackId}. */
  public static JobRequest decode(JsonNode json, String fallbackId) {
    String id = idOf(json, fallbackId);
    try {
      return decodeChecked(json, fallbackId);
    } catch (InvalidJobException e) {
      throw e.withJobId(id);
    }
  }

  private static JobRequest decodeChecked(JsonNode json, String fallbackId) {
    Fields f = Fields.of(json, "");
    String id = f.string("id", fallbackId);
    if (id == null || !JobRequest.ID.matcher(id).matches()) {
      throw f.error("id", "must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    String type = f.string("type");
    int tileSize = f.integer("tileSize", JobRequest.MIN_TILE, JobRequest.MAX_TILE, 0);
    int timeLimit = f.integer("timeLimit", 1, JobRequest.MAX_TIME_LIMIT, 0);
    S3Uri output = null;
    if (f.has("output")) {
      output = s3(f, "output");
      if (output.extension().isEmpty()) {
        throw f.error("output", "'" + output + "' has no file extension (use .png, .jpg or .jpeg)");
      }
      try {
        ImageFormat.forExtension(output.extension());
      } catch (IllegalArgumentException e) {
        throw f.error("output", e.getMessage());
      }
    }
    JobRequest job = switch (type) {
      case "render" -> {
        int width = f.integer("width", 1, JobRequest.MAX_SIDE);
        int height = f.integer("height", 1, JobRequest.MAX_SIDE);
        String name = f.string("renderer");
        Renderer renderer;
        try {
          renderer = Renderer.of(name);
        } catch (IllegalArgumentException e) {
          throw f.error("renderer", e.getMessage());
        }
        if (!renderer.renders()) {
          throw f.error("renderer", "'" + name + "' encodes videos, it renders nothing (valid renderers: "
              + String.join(", ", Renderer.ids()) + ")");
        }
        SceneSpec scene = Scenes.parse(renderer, f.raw("scene"));
        if (scene instanceof SceneSpec.Builtin b && b.linear16() && output != null
            && ImageFormat.forExtension(output.extension()) != ImageFormat.PNG) {
          // JPEG has no 16-bit samples; refusing now beats a render whose bits the encoder would throw away.
          throw new InvalidJobException(null, "scene.encoding", "\"linear16\" needs a .png output, not '" + output + "'");
        }
        if (renderer == Renderer.POVRAY && f.has("samples")) {
          // POV-Ray samples adaptively; a count would be ignored, and an ignored parameter is an error here.
          throw f.error("samples", "is not a povray setting: use scene.antialias and scene.antialiasDepth");
        }
        int samples = f.integer("samples", 1, 65_536, 16);
        long seed = f.longValue("seed", 0);
        JobRequest.Frames frames = frames(f, renderer, output);
        JobRequest.Video video = f.has("video") ? video(f, frames) : null;
        yield new JobRequest.Render(id, width, height, renderer.id(), scene, samples, seed, tileSize, output, frames,
            timeLimit, video);
      }
      case "process" -> {
        S3Uri input = s3(f, "input");
        List<JsonNode> nodes = f.array("ops", MAX_OPS);
        if (nodes.isEmpty()) {
          throw f.error("ops", "is empty: give at least one op (valid ops: " + String.join(", ", Ops.names()) + ")");
        }
        List<ImageOp> ops = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
          ops.add(Ops.parse(nodes.get(i), "ops[" + i + "]"));
        }
        yield new JobRequest.Process(id, input, ops, tileSize, output, timeLimit);
      }
      default -> throw f.error("type", "must be \"render\" or \"process\", got \"" + type + "\"");
    };
    f.done();
    return job;
  }

  /**
   * The job's {@code "frame"} (one still of that frame) or {@code "frames"} ({@code {"start", "end", "step"}}:
   * an image per frame, whose {@code output}, if given, must hold a run of {@code #} for the frame number).
   */
  private static JobRequest.Frames frames(Fields f, Renderer renderer, S3Uri output) {
    boolean one = f.has("frame");
    boolean range = f.has("frames");
    if (f.has("frameOrder") && !range) {
      throw f.error("frameOrder", "is only for an animation (a job with \"frames\")");
    }
    if (!one && !range) {
      if (output != null && output.key().contains("#")) {
        // A '#' in a still's output is almost surely a frame pattern whose "frames" was forgotten.
        throw f.error("output", "'" + output + "' holds '#', a frame number pattern, but the job has no \"frames\"");
      }
      return null;
    }
    String field = one ? "frame" : "frames";
    if (!renderer.animates()) {
      throw f.error(field, "is only for the renderers "
          + Renderer.animating().stream().map(Renderer::id).collect(Collectors.joining(", "))
          + ", not '" + renderer.id() + "'");
    }
    if (one && range) {
      throw f.error("frame", "give either \"frame\" (one still) or \"frames\" (an animation), not both");
    }
    if (one) {
      int n = f.integer("frame", JobRequest.Frames.MIN_FRAME, JobRequest.Frames.MAX_FRAME);
      return new JobRequest.Frames(n, n, 1, false);
    }
    Fields r = Fields.of(f.raw("frames"), "frames");
    int start = r.integer("start", JobRequest.Frames.MIN_FRAME, JobRequest.Frames.MAX_FRAME);
    int end = r.integer("end", JobRequest.Frames.MIN_FRAME, JobRequest.Frames.MAX_FRAME);
    int step = r.integer("step", 1, JobRequest.Frames.MAX_FRAME, 1);
    r.done();
    if (end < start) {
      throw r.error("end", "is " + end + ", before start " + start);
    }
    if (((long) end - start) / step + 1 > JobRequest.Frames.MAX_FRAMES) {
      throw r.error(null, "give at most " + JobRequest.Frames.MAX_FRAMES + " frames, not "
          + (((long) end - start) / step + 1));
    }
    if (output != null && !output.key().contains("#")) {
      throw f.error("output", "'" + output + "' has no run of '#' for the frame number (e.g. "
          + "s3://bucket/shot/frame-####.png), so every frame would overwrite the last");
    }
    String order = f.choice("frameOrder", FRAME_ORDERS, "sequential");
    return new JobRequest.Frames(start, end, step, true, order.equals("preview"));
  }

  /** The job's {@code "video"}: {@code {"format": "mp4" | "mov", "fps": N}}, only on an animation. */
  private static JobRequest.Video video(Fields f, JobRequest.Frames frames) {
    if (frames == null || !frames.sequence()) {
      throw f.error("video", "is only for an animation (a job with \"frames\"), whose frames it is made of");
    }
    Fields v = Fields.of(f.raw("video"), "video");
    String format = v.choice("format", JobRequest.Video.FORMATS, "mp4");
    int fps = v.integer("fps", 1, JobRequest.Video.MAX_FPS, 24);
    v.done();
    return new JobRequest.Video(format, fps);
  }

  private static S3Uri s3(Fields f, String name) {
    String text = f.string(name);
    try {
      return S3Uri.parse(text);
    } catch (IllegalArgumentException e) {
      throw f.error(name, e.getMessage());
    }
  }
}
