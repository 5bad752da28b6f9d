package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobLinks;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.TileKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Reading the user's files: JSON documents and images to upload. */
final class Inputs {
  private Inputs() {}

  /** Parses a JSON object from a file, or explains what is wrong with it. */
  static ObjectNode jsonObject(Path file) throws Main.UsageException {
    try {
      return object(Json.MAPPER.readTree(file.toFile()), file.toString());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new Main.UsageException(file + ": not valid JSON: " + e.getOriginalMessage() + " (line "
          + e.getLocation().getLineNr() + ")");
    } catch (IOException e) {
      throw new Main.UsageException(file + ": " + (Files.exists(file) ? e.getMessage() : "no such file"));
    }
  }

  static ObjectNode object(JsonNode node, String where) throws Main.UsageException {
    if (node == null || !node.isObject()) {
      throw new Main.UsageException(where + ": expected a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * An image as an {@code s3://} URI: URIs pass through, local files are uploaded once to the farm's bucket
   * under their content hash.
   */
  static S3Uri upload(BlobStore blobs, String input, Progress progress) throws Main.UsageException, IOException,
      Uploads.UploadFailedException {
    if (input.startsWith("s3://")) {
      try {
        return S3Uri.parse(input);
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException(input + ": " + e.getMessage());
      }
    }
    Path file = Path.of(input);
    if (!Files.isRegularFile(file)) {
      throw new Main.UsageException(input + ": no such file");
    }
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    S3Uri uri = TileKeys.upload(blobs.settings().bucket(), sha256(file), ext);
    Uploads.put(blobs, uri, file, "application/octet-stream", progress);
    return uri;
  }

  /**
   * Whether a job's {@code input} names another job's output ({@code "job:JOB_ID"}): passed through unchanged (the
   * job waits for that job), once checked as the farm checks it ({@link JobCodec#linksOf}).
   *
   * @param where the job's file (and line), or the argument, for the error
   */
  static boolean jobInput(ObjectNode job, String where) throws Main.UsageException {
    JsonNode input = job.get("input");
    if (input == null || !input.isTextual() || !input.asText().startsWith(JobLinks.INPUT_PREFIX)) {
      return false;
    }
    try {
      JobCodec.linksOf(job, job.path("id").isTextual() ? job.get("id").asText() : null);
    } catch (InvalidJobException e) {
      throw new Main.UsageException(where + ": " + e.getMessage());
    }
    return true;
  }

  /**
   * A process job's local input: its {@code input} when that is a path (not {@code s3://}, not another job's output
   * {@code job:JOB_ID}, {@link #jobInput}), resolved against
   * {@code base} (the job file's folder), checked to be a readable file; null when the input is in S3 already.
   *
   * @param where the job's file (and line), for the error
   */
  static Path localInput(ObjectNode job, Path base, String where) throws Main.UsageException {
    JsonNode input = job.get("input");
    if (!"process".equals(job.path("type").asText()) || input == null || !input.isTextual()
        || input.asText().startsWith("s3://") || jobInput(job, where)) {
      return null;
    }
    Path file = base.resolve(input.asText()).normalize();
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new Main.UsageException(where + ": input \"" + input.asText() + "\" names no readable file (" + file + ")");
    }
    return file;
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
