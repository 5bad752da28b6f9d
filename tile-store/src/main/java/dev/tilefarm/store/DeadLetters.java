package dev.tilefarm.store;

import dev.tilefarm.clients.ClientProperties;
import dev.tilefarm.schemas.DeadLetter;
import dev.tilefarm.schemas.JsonSerde;
import dev.tilefarm.schemas.S3Uri;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a dead letter is made, for every role. A letter that fits in one Kafka record (with room to
 * spare under the producer's {@code max.request.size}) carries the original key and value in base64; one
 * that would not is a claim check: the original bytes go to object storage under
 * {@code dead-letters/TOPIC/PARTITION-OFFSET.key} and {@code .value}, and the letter carries their URIs, sizes
 * and sha256. So no letter is ever refused for its size, and nothing is lost.
 *
 * <p>If storing the bytes fails, the letter still goes out, with the size and sha256 of what was lost, a null
 * URI and the reason in its error: a role that cannot keep a record must still move past it. Thread-safe.
 */
public final class DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
  /** Kafka's default {@code max.request.size}. */
  public static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
  /** Room kept under {@code max.request.size} for the record's framing, headers and key. */
  static final int MARGIN = 16 * 1024;
  /** Errors longer than this are cut (an error may quote its input). */
  static final int MAX_ERROR_CHARS = 4096;
  /** Original keys up to this many bytes (and valid UTF-8) are the dead letter record's key. */
  static final int MAX_RECORD_KEY_BYTES = 1024;
  private static final JsonSerde<DeadLetter> SERDE = new JsonSerde<>(DeadLetter.class);

  /** Where the original bytes of a claim-checked letter are kept. */
  @FunctionalInterface
  public interface Storage {
    void put(S3Uri uri, byte[] bytes);
  }

  private final Storage storage;
  private final String bucket;
  private final String role;
  private final int maxLetterBytes;

  /**
   * @param role the role named in the letters ("tile-splitter", ...)
   * @param maxRequestSize the {@code max.request.size} of the producer that sends the letters (see {@link
   *     #maxRequestSize})
   */
  public DeadLetters(BlobStore blobs, String role, int maxRequestSize) {
    this((uri, bytes) -> blobs.put(uri, bytes, "application/octet-stream"), blobs.settings().bucket(), role,
        maxRequestSize);
  }

  /**
   * The dead letters of {@code role}, whose bytes are kept in {@code blobs} when they must be, sized for the
   * producer that {@code kafkaOverrides} configure (see {@link #maxRequestSize}).
   */
  public static DeadLetters of(BlobStore blobs, String role, Map<String, ?> kafkaOverrides) {
    return new DeadLetters(blobs, role, maxRequestSize(kafkaOverrides));
  }

  public DeadLetters(Storage storage, String bucket, String role, int maxRequestSize) {
    if (maxRequestSize <= MARGIN) {
      throw new IllegalArgumentException("max.request.size must be above " + MARGIN + " bytes, got " + maxRequestSize);
    }
    this.storage = storage;
    this.bucket = bucket;
    this.role = role;
    this.maxLetterBytes = maxRequestSize - MARGIN;
  }

  /**
   * The {@code max.request.size} a role's producer runs with, from its Kafka client overrides (a Streams app
   * may give it as {@code producer.max.request.size}); Kafka's default if none is set.
   */
  public static int maxRequestSize(Map<String, ?> kafkaOverrides) {
    Object v = ClientProperties.PRODUCER.understoodInStreamsApp(kafkaOverrides)
        .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    return v == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(v.toString().trim());
  }

  /** The letter for the record at {@code topic}-{@code partition}@{@code offset}, stored aside if it must be. */
  public DeadLetter letter(String topic, int partition, long offset, byte[] key, byte[] value, String error,
      long now) {
    String why = error == null ? "unknown error" : error.length() > MAX_ERROR_CHARS
        ? error.substring(0, MAX_ERROR_CHARS) + "... (" + error.length() + " characters)" : error;
    Base64.Encoder b64 = Base64.getEncoder();
    DeadLetter inline = new DeadLetter(topic, partition, offset, key == null ? null : b64.encodeToString(key),
        value == null ? null : b64.encodeToString(value), why, role, now);
    if (SERDE.encode(inline).length <= maxLetterBytes) {
      return inline;
    }
    StringBuilder lost = new StringBuilder();
    DeadLetter.Stored keyStored = store(topic, partition, offset, "key", key, lost);
    DeadLetter.Stored valueStored = store(topic, partition, offset, "value", value, lost);
    return new DeadLetter(topic, partition, offset, null, null, why + lost, role, now, keyStored, valueStored);
  }

  private DeadLetter.Stored store(String topic, int partition, long offset, String side, byte[] bytes,
      StringBuilder lost) {
    if (bytes == null) {
      return null;
    }
    S3Uri uri = claim(bucket, topic, partition, offset, side);
    String sha256 = sha256(bytes);
    try {
      storage.put(uri, bytes);
      return new DeadLetter.Stored(uri.toString(), bytes.length, sha256);
    } catch (BlobStoreException | UncheckedIOException e) {
      log.error("could not keep the {} bytes of the {} of {}-{}@{} at {}; the letter says what was lost: {}",
          bytes.length, side, topic, partition, offset, uri, e.toString());
      lost.append(" (the ").append(side).append("'s ").append(bytes.length).append(" bytes could not be kept at ")
          .append(uri).append(": ").append(e.getMessage()).append(')');
      return new DeadLetter.Stored(null, bytes.length, sha256);
    }
  }

  /** Where the {@code side} ("key" or "value") of a claim-checked record is kept. */
  public static S3Uri claim(String bucket, String topic, int partition, long offset, String side) {
    return new S3Uri(bucket, "dead-letters/" + topic + "/" + partition + "-" + offset + "." + side);
  }

  /** The dead letter record's own key: the original key when it is short UTF-8, else null. */
  public static String recordKey(byte[] key) {
    if (key == null || key.length > MAX_RECORD_KEY_BYTES) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The dead letter record's own key for an original key read as a string. */
  public static String recordKey(String key) {
    return key == null ? null : recordKey(key.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
