package dev.tilefarm.schemas;

/**
 * A record no role could use, kept whole: where it came from, its key and value, which role gave up on it
 * and why. The key and value travel in base64 (so any bytes survive) when the letter fits in one Kafka
 * record; when it would not, they are kept in object storage instead (a claim check) and the letter carries
 * where, how many bytes and their sha256 in {@code keyStored} / {@code valueStored}. A side is null in both
 * forms when the original record had no key (or no value).
 */
public record DeadLetter(String sourceTopic, int partition, long offset, String keyBase64, String valueBase64,
    String error, String role, long timestamp, Stored keyStored, Stored valueStored) {

  /** A letter whose bytes travel inline. */
  public DeadLetter(String sourceTopic, int partition, long offset, String keyBase64, String valueBase64,
      String error, String role, long timestamp) {
    this(sourceTopic, partition, offset, keyBase64, valueBase64, error, role, timestamp, null, null);
  }

  /**
   * Original bytes kept in object storage: {@code uri} ({@code s3://BUCKET/KEY}) holds exactly {@code size}
   * bytes whose SHA-256 is {@code sha256} (lower-case hex). {@code uri} is null only if storing them failed;
   * size and sha256 still describe the original.
   */
  public record Stored(String uri, long size, String sha256) {}
}
