package dev.tilefarm.store;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach object storage. {@code endpoint} is null for AWS itself; for S3Proxy, MinIO and other
 * S3-compatible servers it is their URL and {@code pathStyle} is usually true. {@code bucket} is the farm's
 * own bucket, for tiles, uploads and default outputs.
 */
public record S3Settings(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
    String bucket) {
  public S3Settings {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
        + ", pathStyle=" + pathStyle + ", bucket=" + bucket + "]";
  }
}
