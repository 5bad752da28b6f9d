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
      throw new UndecodableException("the record is " + bytes.length + " bytes; a job may have at most "
          + MAX_BYTES, null);
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

  /** The record keys that make a JSON object on the jobs topic a {@link JobSchedule} request. */
  public static final java.util.List<String> SCHEDULE_KEYS = List.of("pause", "resume", "reprioritize");

  /**
   * The schedule request in {@code json}, or null if it is none (it has none of {@link #SCHEDULE_KEYS}): exactly
   * {@code {"pause": ID}}, {@code {"resume": ID}} or {@code {"reprioritize": ID, "priority": N}}; anything else is
   * an {@link InvalidJobException} naming the field.
   */
  public static JobSchedule scheduleOf(JsonNode json) {
    if (json == null || !json.isObject()) {
      return null;
    }
    String kind = null;
    for (String key : SCHEDULE_KEYS) {
      if (json.has(key)) {
        if (kind != null) {
          throw new InvalidJobException(null, key, "give one of \"" + String.join("\", \"", SCHEDULE_KEYS)
              + "\" per request, not both \"" + kind + "\" and \"" + key + "\"");
        }
        kind = key;
      }
    }
    if (kind == null) {
      return null;
    }
    Fields f = Fields.of(json, "");
    String id = f.string(kind);
    if (!JobRequest.ID.matcher(id).matches()) {
      throw f.error(kind, "must be a job id: 1-128 characters of letters, digits, '.', '_' or '-'");
    }
    JobSchedule schedule = switch (kind) {
      case "pause" -> new JobSchedule.Pause(id);
      case "resume" -> new JobSchedule.Resume(id);
      default -> new JobSchedule.Reprioritize(id, priority(f, true));
    };
    f.done();
    return schedule;
  }

  /**
   * The priority of a job (its {@code "priority"}, or {@link JobSchedule#DEFAULT_PRIORITY}); a job that is not
   * valid otherwise is for {@link #decode} to reject.
   */
  public static int priorityOf(JsonNode job) {
    JsonNode p = job == null ? null : job.get("priority");
    if (p == null || !p.isNumber() || p.asDouble() != Math.rint(p.asDouble())
        || p.asDouble() < JobSchedule.MIN_PRIORITY || p.asDouble() > JobSchedule.MAX_PRIORITY) {
      return JobSchedule.DEFAULT_PRIORITY;
    }
    return (int) p.asDouble();
  }

  private static int priority(Fields f, boolean required) {
    return required ? f.integer("priority", JobSchedule.MIN_PRIORITY, JobSchedule.MAX_PRIORITY)
        : f.integer("priority", JobSchedule.MIN_PRIORITY, JobSchedule.MAX_PRIORITY, JobSchedule.DEFAULT_PRIORITY);
  }

  /**
   * The retry request in {@code json}, or null if it is none (it has no {@code "retry"} field). A retry request
   * has exactly the field {@code retry} (a job id); anything else is an {@link InvalidJobException} naming the
   * field.
   */
  public static JobRetry retryOf(JsonNode json) {
    if (json == null || !json.isObject() || !json.has("retry")) {
      return null;
    }
    Fields f = Fields.of(json, "");
    String id = f.string("retry");
    if (!JobRequest.ID.matcher(id).matches()) {
      throw f.error("retry", "must be a job id: 1-128 characters of letters, digits, '.', '_' or '-'");
    }
    f.done();
    return new JobRetry(id);
  }

  /**
   * The jobs {@code json} waits for ({@link JobLinks}): its {@code "after"} ids and a process job's
   * {@code "input": "job:JOB_ID"}. Each id must be valid, listed once, and not the job's own ({@code ownId}).
   */
  public static JobLinks linksOf(JsonNode json, String ownId) {
    try {
      return links(Fields.of(json, ""), ownId);
    } catch (InvalidJobException e) {
      throw e.withJobId(ownId);
    }
  }

  private static JobLinks links(Fields f, String ownId) {
    List<String> after = new ArrayList<>();
    if (f.has("after")) {
      List<JsonNode> ids = f.array("after", JobLinks.MAX_AFTER);
      for (int i = 0; i < ids.size(); i++) {
        JsonNode v = ids.get(i);
        String field = "after[" + i + "]";
        if (!v.isTextual() || !JobRequest.ID.matcher(v.asText()).matches()) {
          throw new InvalidJobException(null, field, "must be a job id: 1-128 characters of letters, digits, '.', "
              + "'_' or '-', got " + Fields.describe(v));
        }
        if (v.asText().equals(ownId)) {
          throw new InvalidJobException(null, field, "is the job's own id: a job cannot wait for itself");
        }
        if (after.contains(v.asText())) {
          throw new InvalidJobException(null, field, "'" + v.asText() + "' is listed twice");
        }
        after.add(v.asText());
      }
    }
    String inputJob = null;
    JsonNode input = f.peek("input");
    if (input != null && input.isTextual() && input.asText().startsWith(JobLinks.INPUT_PREFIX)) {
      f.raw("input");
      inputJob = input.asText().substring(JobLinks.INPUT_PREFIX.length());
      if (!JobRequest.ID.matcher(inputJob).matches()) {
        throw f.error("input", "'" + input.asText() + "' must name a job: \"job:\" and 1-128 characters of letters, "
            + "digits, '.', '_' or '-'");
      }
      if (inputJob.equals(ownId)) {
        throw f.error("input", "'" + input.asText() + "' is the job's own id: a job cannot take its own output");
      }
    }
    return after.isEmpty() && inputJob == null ? JobLinks.NONE : new JobLinks(after, inputJob);
  }

  /**
   * The job's {@code "maxAttempts"}: how many times each of its tiles may be tried (1 to {@link
   * JobRequest#MAX_ATTEMPTS}; the workers never go past their own {@code worker.max-attempts}), or 0 when the job
   * leaves it to the farm. An invalid value is an {@link InvalidJobException} naming the field.
   */
  public static int maxAttemptsOf(JsonNode json) {
    if (json == null || !json.isObject()) {
      return 0;
    }
    return Fields.of(json, "").integer("maxAttempts", 1, JobRequest.MAX_ATTEMPTS, 0);
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
      throw f.error("id",
          "must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    String type = f.string("type");
    int tileSize = f.integer("tileSize", JobRequest.MIN_TILE, JobRequest.MAX_TILE, 0);
    int timeLimit = f.integer("timeLimit", 1, JobRequest.MAX_TIME_LIMIT, 0);
    priority(f, false); // checked here, read by the splitter with priorityOf: it schedules, the job does not care
    f.integer("maxAttempts", 1, JobRequest.MAX_ATTEMPTS, 0); // read where the tiles are tried (maxAttemptsOf)
    JobLinks links = links(f, id);
    S3Uri output = null;
    if (f.has("output") && !type.equals(VideoJobCodec.TYPE)) { // a video job's output is a video, not an image
      output = s3(f, "output");
      if (output.extension().isEmpty()) {
        throw f.error("output", "'" + output + "' has no file extension (use " + ImageFormat.supported() + ")");
      }
      try {
        ImageFormat.forExtension(output.extension());
      } catch (IllegalArgumentException e) {
        throw f.error("output", e.getMessage());
      }
    }
    JobRequest job = switch (type) {
      case "render" -> {
        if (links.inputJob() != null) {
          throw f.error("input", "is for process jobs; a render job waits for other jobs with \"after\"");
        }
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
        if (renderer == Renderer.POVRAY && f.has("samples")) {
          // POV-Ray samples adaptively; a count would be ignored, and an ignored parameter is an error here.
          throw f.error("samples", "is not a povray setting: use scene.antialias and scene.antialiasDepth");
        }
        int samples = f.integer("samples", 1, 65_536, 16);
        long seed = f.longValue("seed", 0);
        JobRequest.Frames frames = frames(f, renderer, output);
        int bitDepth = OutputFormats.renderBitDepth(f, renderer, scene, output);
        JobRequest.Video video = f.has("video") ? video(f, frames) : null;
        yield new JobRequest.Render(id, width, height, renderer, scene, samples, seed, tileSize, output, frames,
            timeLimit, bitDepth, video);
      }
      case "process" -> {
        // Another job's output is known when that job completes: the splitter fills it in before planning.
        S3Uri input = links.inputJob() != null ? null : s3(f, "input");
        OutputFormats.checkProcess(f, output);
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
      case VideoJobCodec.TYPE -> VideoJobCodec.decode(f, id, links, timeLimit);
      default -> throw f.error("type", "must be \"render\", \"process\" or \"video\", got \"" + type + "\"");
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
    int[] numbers = frameRange(f);
    int start = numbers[0];
    int end = numbers[1];
    int step = numbers[2];
    if (output != null && !output.key().contains("#")) {
      throw f.error("output", "'" + output + "' has no run of '#' for the frame number (e.g. "
          + "s3://bucket/shot/frame-####.png), so every frame would overwrite the last");
    }
    String order = f.choice("frameOrder", FRAME_ORDERS, "sequential");
    return new JobRequest.Frames(start, end, step, true, order.equals("preview"));
  }

  /** The job's {@code "frames"}: {@code {"start", "end", "step"}}, at most {@link JobRequest.Frames#MAX_FRAMES}. */
  static int[] frameRange(Fields f) {
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
    return new int[] {start, end, step};
  }

  /** The job's {@code "video"}: {@code {"format": "mp4" | "mov", "fps": N}}, only on an animation. */
  private static JobRequest.Video video(Fields f, JobRequest.Frames frames) {
    if (frames == null || !frames.sequence()) {
      throw f.error("video", "is only for an animation (a job with \"frames\"), whose frames it is made of");
    }
    return videoSettings(f);
  }

  /** {@code "video"}'s settings: {@code {"format": "mp4" | "mov", "fps": N}}, defaults mp4 and 24. */
  static JobRequest.Video videoSettings(Fields f) {
    Fields v = Fields.of(f.raw("video"), "video");
    String format = v.choice("format", JobRequest.Video.FORMATS, "mp4");
    int fps = v.integer("fps", 1, JobRequest.Video.MAX_FPS, 24);
    v.done();
    return new JobRequest.Video(format, fps);
  }

  static S3Uri s3(Fields f, String name) {
    String text = f.string(name);
    try {
      return S3Uri.parse(text);
    } catch (IllegalArgumentException e) {
      throw f.error(name, e.getMessage());
    }
  }
}
