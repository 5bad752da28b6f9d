package dev.tilefarm.testing;

import dev.tilefarm.embedded.EmbeddedKafka;
import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.embedded.Security;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.S3Settings;
import java.nio.file.Path;

/**
 * A real Kafka broker and S3 server for a test, started on free ports under one directory, with a blob store
 * connected to the S3 server's bucket. Closing it stops all three, the blob store first.
 *
 * @param kafka the broker
 * @param s3 the S3 server
 * @param blobs a client of the S3 server, path-style, with the stack's keys
 */
public record TestStack(EmbeddedKafka kafka, EmbeddedS3 s3, BlobStore blobs) implements AutoCloseable {
  /** A plaintext broker in {@code dir/kafka} and an S3 server in {@code dir/s3} holding {@code bucket}. */
  public static TestStack start(Path dir, String accessKey, String secretKey, String bucket) throws Exception {
    return start(dir, null, accessKey, secretKey, bucket);
  }

  /**
   * The same with the broker's listeners and users as {@code security} says (null: plaintext only, no users).
   * Whatever started before a failure is stopped again.
   */
  public static TestStack start(Path dir, Security security, String accessKey, String secretKey, String bucket)
      throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, security);
    EmbeddedS3 s3 = null;
    try {
      s3 = EmbeddedS3.start(dir.resolve("s3"), 0, accessKey, secretKey, bucket);
      BlobStore blobs = BlobStore.connect(new S3Settings(s3.endpoint(), s3.region(), accessKey, secretKey, true,
          bucket));
      return new TestStack(kafka, s3, blobs);
    } catch (Exception | Error e) {
      if (s3 != null) {
        s3.close();
      }
      kafka.close();
      throw e;
    }
  }

  /** The broker's plaintext bootstrap servers. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Override
  public void close() {
    try {
      blobs.close();
    } finally {
      try {
        s3.close();
      } finally {
        kafka.close();
      }
    }
  }
}
