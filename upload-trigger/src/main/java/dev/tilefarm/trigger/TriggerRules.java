package dev.tilefarm.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The upload rules: which new objects become which process jobs. A rule maps a bucket and key prefix to an op
 * chain and an output prefix:
 *
 * <pre>
 * [{"bucket": "tilefarm", "prefix": "uploads/incoming/", "ops": [{"op": "clahe"}, {"op": "grayscale"}],
 *   "output": "s3://tilefarm/processed/", "format": "png", "tileSize": 256}]
 * </pre>
 *
 * An object {@code uploads/incoming/a/photo.jpg} becomes a job writing {@code processed/a/photo.png}. The
 * first matching rule wins. Rules are checked when they are loaded: an unknown field, a bad op or parameter
 * (checked by the job decoder itself) is a {@link InvalidRulesException} naming the rule and field.
 */
final class TriggerRules {
  record Rule(String bucket, String prefix, ArrayNode ops, S3Uri output, String format, int tileSize) {
    boolean matches(S3Event.Created c) {
      return c.bucket().equals(bucket) && c.key().startsWith(prefix);
    }
  }

  /** A rules file that is not valid; the message names the rule ({@code rules[2].ops[0].sigma: ...}). */
  static final class InvalidRulesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidRulesException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final Set<String> FIELDS = Set.of("bucket", "prefix", "ops", "output", "format", "tileSize");
  private static final List<String> FORMATS = List.of("png", "jpg", "tif", "webp");
  private static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp");

  private final List<Rule> rules;

  private TriggerRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  List<Rule> rules() {
    return rules;
  }

  static TriggerRules parse(byte[] json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidRulesException("the trigger rules are not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new InvalidRulesException("the trigger rules are a JSON array of rules", null);
    }
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      out.add(rule(root.get(i), "rules[" + i + "]"));
    }
    return new TriggerRules(out);
  }

  private static Rule rule(JsonNode n, String path) {
    if (!n.isObject()) {
      throw new InvalidRulesException(path + ": must be a JSON object", null);
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new InvalidRulesException(path + "." + f + ": unknown field (valid fields: " + String.join(", ",
            new java.util.TreeSet<>(FIELDS)) + ")", null);
      }
    }
    String bucket = text(n, "bucket", path, null);
    String prefix = text(n, "prefix", path, "");
    String format = text(n, "format", path, "png");
    if (!FORMATS.contains(format)) {
      throw new InvalidRulesException(path + ".format: must be one of " + FORMATS + ", got \"" + format + "\"", null);
    }
    String outputText = text(n, "output", path, null);
    S3Uri output;
    try {
      output = S3Uri.parse(outputText.endsWith("/") ? outputText + "x" : outputText);
      output = new S3Uri(output.bucket(), outputText.endsWith("/")
          ? output.key().substring(0, output.key().length() - 1)
          : output.key() + "/");
    } catch (IllegalArgumentException e) {
      throw new InvalidRulesException(path + ".output: " + e.getMessage(), e);
    }
    JsonNode ops = n.get("ops");
    if (ops == null || !ops.isArray()) {
      throw new InvalidRulesException(path + ".ops: is required (an array of ops, as in a process job)", null);
    }
    int tileSize = n.has("tileSize") ? n.get("tileSize").asInt() : 0;
    Rule rule = new Rule(bucket, prefix, (ArrayNode) ops, output, format, tileSize);
    // The job decoder checks the ops, their parameters and the tile size, exactly as for a submitted job.
    try {
      JobCodec.decode(job(rule, new S3Event.Created(bucket, prefix + "example.png", 0, "", "")), "rule-check");
    } catch (InvalidJobException e) {
      throw new InvalidRulesException(path + "." + e.getMessage(), e);
    }
    return rule;
  }

  private static String text(JsonNode n, String field, String path, String fallback) {
    JsonNode v = n.get(field);
    if (v == null) {
      if (fallback == null) {
        throw new InvalidRulesException(path + "." + field + ": is required", null);
      }
      return fallback;
    }
    if (!v.isTextual()) {
      throw new InvalidRulesException(path + "." + field + ": must be a string", null);
    }
    return v.asText();
  }

  /** The job for a new object, or null if no rule matches it (or it is no image by its name). */
  ObjectNode jobFor(S3Event.Created created) {
    String ext = extension(created.key());
    if (!IMAGE_EXTENSIONS.contains(ext)) {
      return null;
    }
    for (Rule r : rules) {
      if (r.matches(created)) {
        return job(r, created);
      }
    }
    return null;
  }

  static ObjectNode job(Rule r, S3Event.Created created) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("id", id(created));
    job.put("type", "process");
    job.put("input", new S3Uri(created.bucket(), created.key()).toString());
    job.set("ops", r.ops().deepCopy());
    String rest = created.key().substring(r.prefix().length());
    int dot = rest.lastIndexOf('.');
    String base = dot > rest.lastIndexOf('/') ? rest.substring(0, dot) : rest;
    job.put("output", new S3Uri(r.output().bucket(), r.output().key() + base + "." + r.format()).toString());
    if (r.tileSize() > 0) {
      job.put("tileSize", r.tileSize());
    }
    return job;
  }

  /**
   * The job id of an upload: fixed by the object and its version (eTag, sequencer), so that a notification
   * delivered twice is one job (the splitter runs an id once), and a new upload under the same key is another.
   */
  static String id(S3Event.Created c) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] d = sha.digest((c.bucket() + "/" + c.key() + "@" + c.eTag() + "/" + c.sequencer())
          .getBytes(StandardCharsets.UTF_8));
      return "upload-" + HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String extension(String key) {
    int dot = key.lastIndexOf('.');
    return dot < 0 || dot < key.lastIndexOf('/') ? "" : key.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
