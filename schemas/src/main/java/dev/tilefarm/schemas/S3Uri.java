package dev.tilefarm.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Pattern;

/** An object in S3-compatible storage, written {@code s3://bucket/key}. */
public record S3Uri(String bucket, String key) {
  // S3's own bucket naming rules (lower-case, 3-63 characters, no leading or trailing dot or dash).
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final int MAX_KEY_BYTES = 1024;

  public S3Uri {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException("bucket '" + bucket + "' is not a valid S3 bucket name");
    }
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("the object key is empty");
    }
    if (key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("the object key is longer than " + MAX_KEY_BYTES + " bytes");
    }
    if (key.startsWith("/") || key.contains("//")) {
      throw new IllegalArgumentException("the object key '" + key + "' has an empty path segment");
    }
    for (String segment : key.split("/")) {
      if (segment.equals("..") || segment.equals(".")) {
        throw new IllegalArgumentException("the object key '" + key + "' has a '" + segment + "' segment");
      }
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException("the object key has a control character or backslash");
      }
    }
  }

  /** Parses {@code s3://bucket/key}; the message of the exception says what is wrong. */
  @JsonCreator
  public static S3Uri parse(String uri) {
    if (uri == null || !uri.startsWith("s3://")) {
      throw new IllegalArgumentException("'" + uri + "' is not an s3://bucket/key URI");
    }
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("'" + uri + "' has no object key after the bucket");
    }
    return new S3Uri(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** The lower-case file extension of the key, without the dot, or "" if it has none. */
  public String extension() {
    int slash = key.lastIndexOf('/');
    int dot = key.lastIndexOf('.');
    return dot > slash ? key.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
  }

  @JsonValue
  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
