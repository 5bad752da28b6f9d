package dev.tilefarm.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.UndecodableException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An object-store notification in the S3 event format that AWS S3 and MinIO publish: {@code {"Records": [{
 * "eventName": "ObjectCreated:Put" (MinIO: "s3:ObjectCreated:Put"), "s3": {"bucket": {"name": ...}, "object":
 * {"key": URL-encoded, "size", "eTag", "sequencer"}}}]}} (MinIO adds {@code EventName} and {@code Key} at the top,
 * which are the same facts again). Only object-created records matter; others (removals, tests) are ignored.
 */
record S3Event(List<Created> created) {
  /** An object was created (put, copied, completed as a multipart upload). */
  record Created(String bucket, String key, long size, String eTag, String sequencer) {}

  /** Parses a notification, or throws {@link UndecodableException} saying why it is none. */
  static S3Event parse(byte[] bytes) {
    JsonNode root;
    try {
      root = bytes == null ? null : Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UndecodableException("not a JSON S3 event notification: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new UndecodableException("an S3 event notification is a JSON object with \"Records\"", null);
    }
    JsonNode records = root.get("Records");
    if (records == null || !records.isArray()) {
      if (root.has("Event") && "s3:TestEvent".equals(root.path("Event").asText())) {
        return new S3Event(List.of()); // AWS sends this when a notification is configured
      }
      throw new UndecodableException("an S3 event notification needs a \"Records\" array", null);
    }
    List<Created> created = new ArrayList<>();
    for (JsonNode r : records) {
      String name = r.path("eventName").asText("");
      if (!name.startsWith("ObjectCreated:") && !name.startsWith("s3:ObjectCreated:")) {
        continue;
      }
      JsonNode s3 = r.path("s3");
      String bucket = s3.path("bucket").path("name").asText(null);
      String key = s3.path("object").path("key").asText(null);
      if (bucket == null || key == null || bucket.isEmpty() || key.isEmpty()) {
        throw new UndecodableException("an ObjectCreated record needs s3.bucket.name and s3.object.key", null);
      }
      // Keys are URL-encoded in notifications (a space is "+", a slash may be "%2F").
      String decoded = URLDecoder.decode(key, StandardCharsets.UTF_8);
      created.add(new Created(bucket, decoded, s3.path("object").path("size").asLong(-1),
          s3.path("object").path("eTag").asText(""), s3.path("object").path("sequencer").asText("")));
    }
    return new S3Event(created);
  }
}
