package dev.tilefarm.store;

import dev.tilefarm.schemas.S3Uri;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The farm's object storage: whole-object puts and gets on any S3-compatible server. Failures are
 * {@link BlobNotFoundException} (missing object or bucket) or {@link BlobStoreException}, which tells
 * whether a retry may help. Thread-safe.
 */
public final class BlobStore implements AutoCloseable {
  private final S3Settings settings;
  /** Signs the client's requests and the URLs {@link #presignGet} hands out. */
  private final AwsCredentialsProvider credentials;
  private final S3Client s3;

  private BlobStore(S3Settings settings, Duration socketTimeout) {
    this.settings = settings;
    this.credentials = credentials(settings);
    this.s3 = client(settings, credentials, socketTimeout);
  }

  /**
   * How long the client waits for the next bytes of an answer before it gives the attempt up: a healthy S3 answers
   * within a second or two, while a server that holds an answer back (overloaded, or the far side of a network that
   * dropped it) would otherwise hold the role, and its jobs, for as long. A timeout, not a limit on the transfer:
   * a large object flowing steadily takes as long as it needs.
   */
  static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Tries of one call by the SDK (as many as its default): they ride out a blip, and the farm retries a call that
   * still fails itself (the worker in place and by redelivery, the compositor by processing the record again). The
   * waits between them are short: the SDK's default backoff for throttling (429, 503 SlowDown) grows to 20 s, and
   * its retry quota stops retrying after a burst of failures; both kept a role waiting long after S3 was well
   * again (the cluster lab's recovery after S3 answered 429).
   */
  static final int ATTEMPTS = 4;
  private static final Duration BACKOFF_BASE = Duration.ofMillis(100);
  private static final Duration BACKOFF_MAX = Duration.ofSeconds(1);
  private static final Duration THROTTLED_BACKOFF_BASE = Duration.ofMillis(250);
  private static final Duration THROTTLED_BACKOFF_MAX = Duration.ofSeconds(2);

  /** Connects with the settings' access key, or with the AWS SDK's default credential chain when none is set. */
  public static BlobStore connect(S3Settings settings) {
    return connect(settings, SOCKET_TIMEOUT);
  }

  /** As {@link #connect(S3Settings)}, giving up on an answer that does not come within {@code socketTimeout}. */
  static BlobStore connect(S3Settings settings, Duration socketTimeout) {
    return new BlobStore(settings, socketTimeout);
  }

  /** The settings' access key, or the AWS SDK's default credential chain when none is set. */
  private static AwsCredentialsProvider credentials(S3Settings settings) {
    if (settings.accessKey() != null && !settings.accessKey().isEmpty()) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    }
    // No keys given: the SDK's standard chain (AWS_* environment, system properties, web identity / IRSA,
    // profiles, container and instance roles), for AWS and S3-compatible endpoints alike.
    return DefaultCredentialsProvider.builder().build();
  }

  private static S3Client client(S3Settings settings, AwsCredentialsProvider credentials, Duration socketTimeout) {
    var builder = S3Client.builder()
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(settings.pathStyle())
        // S3-compatible servers (S3Proxy among them) refuse the SDK's default flexible checksums.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        // Sign the whole body in one go instead of aws-chunked, chunk by chunk: 15-20% less CPU per put+get of
        // a small tile against the embedded S3 server (measured side by side, BENCHMARKS.md). Over HTTPS the SDK
        // sends the body unsigned either way.
        .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(ATTEMPTS)
            .backoffStrategy(BackoffStrategy.exponentialDelay(BACKOFF_BASE, BACKOFF_MAX))
            .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(THROTTLED_BACKOFF_BASE, THROTTLED_BACKOFF_MAX))
            .circuitBreakerEnabled(false)
            .build()))
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(socketTimeout));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }

  public S3Settings settings() {
    return settings;
  }

  /** A URI in the farm's own bucket. */
  public S3Uri uri(String key) {
    return new S3Uri(settings.bucket(), key);
  }

  /** Creates the bucket if it does not exist. */
  public void ensureBucket(String bucket) {
    call("checking bucket " + bucket, null, () -> {
      try {
        s3.headBucket(b -> b.bucket(bucket));
      } catch (NoSuchBucketException e) {
        createBucket(bucket);
      } catch (S3Exception e) {
        if (e.statusCode() != 404) {
          throw e;
        }
        createBucket(bucket);
      }
      return null;
    });
  }

  private void createBucket(String bucket) {
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      // Another role won the race; the bucket is there, which is all we wanted.
    }
  }

  public void put(S3Uri uri, byte[] bytes, String contentType) {
    call("writing " + uri, uri, () -> s3.putObject(
        b -> b.bucket(uri.bucket()).key(uri.key()).contentType(contentType), RequestBody.fromBytes(bytes)));
  }

  /**
   * Stores {@code bytes} at {@code uri} with user metadata {@code metadata} (as
   * {@link #putFile(S3Uri, Path, String, java.util.Map)}).
   */
  public void put(S3Uri uri, byte[] bytes, String contentType, java.util.Map<String, String> metadata) {
    call("writing " + uri, uri, () -> s3.putObject(
        b -> b.bucket(uri.bucket()).key(uri.key()).contentType(contentType).metadata(metadata),
        RequestBody.fromBytes(bytes)));
  }

  public void putFile(S3Uri uri, Path file, String contentType) {
    call("writing " + uri, uri, () -> s3.putObject(
        b -> b.bucket(uri.bucket()).key(uri.key()).contentType(contentType), RequestBody.fromFile(file)));
  }

  /**
   * Stores {@code file} at {@code uri} by S3 multipart upload, {@code partSize} bytes a part (5 MiB at least,
   * as S3 requires of every part but the last), so a large file never travels in one request; each part is
   * retried on its own by the SDK. {@code sent} is told the bytes stored so far after each part. A failed
   * upload is aborted, so its parts do not linger in the bucket.
   */
  public void putFileMultipart(S3Uri uri, Path file, String contentType, int partSize,
      java.util.function.LongConsumer sent) {
    if (partSize < (5 << 20)) {
      throw new IllegalArgumentException("partSize " + partSize + " is below S3's 5 MiB minimum");
    }
    String uploadId = call("starting a multipart upload of " + uri, uri, () -> s3.createMultipartUpload(
        b -> b.bucket(uri.bucket()).key(uri.key()).contentType(contentType)).uploadId());
    try (InputStream in = java.nio.file.Files.newInputStream(file)) {
      java.util.List<software.amazon.awssdk.services.s3.model.CompletedPart> parts = new java.util.ArrayList<>();
      byte[] buffer = new byte[partSize];
      long done = 0;
      for (int number = 1; ; number++) {
        int n = in.readNBytes(buffer, 0, partSize);
        if (n == 0 && number > 1) {
          break;
        }
        int part = number;
        byte[] bytes = n == partSize ? buffer : java.util.Arrays.copyOf(buffer, n);
        String etag = call("writing part " + part + " of " + uri, uri, () -> s3.uploadPart(
            b -> b.bucket(uri.bucket()).key(uri.key()).uploadId(uploadId).partNumber(part).contentLength((long) n),
            RequestBody.fromBytes(bytes)).eTag());
        parts.add(software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(part).eTag(etag)
            .build());
        done += n;
        sent.accept(done);
        if (n < partSize) {
          break;
        }
      }
      call("completing the multipart upload of " + uri, uri, () -> s3.completeMultipartUpload(b -> b
          .bucket(uri.bucket()).key(uri.key()).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
    } catch (java.io.IOException e) {
      abort(uri, uploadId);
      throw new java.io.UncheckedIOException("reading " + file + " to upload it to " + uri, e);
    } catch (RuntimeException e) {
      abort(uri, uploadId);
      throw e;
    }
  }

  private void abort(S3Uri uri, String uploadId) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(uri.bucket()).key(uri.key()).uploadId(uploadId));
    } catch (SdkException e) {
      // The upload already failed; an unfinished multipart upload is what the bucket's lifecycle rules clean.
    }
  }

  /**
   * Stores {@code file} at {@code uri} with user metadata {@code metadata} (names in lower case, without the
   * {@code x-amz-meta-} prefix).
   */
  public void putFile(S3Uri uri, Path file, String contentType, java.util.Map<String, String> metadata) {
    call("writing " + uri, uri, () -> s3.putObject(
        b -> b.bucket(uri.bucket()).key(uri.key()).contentType(contentType).metadata(metadata),
        RequestBody.fromFile(file)));
  }

  /** The object's size and user metadata, or null if it does not exist. */
  public Head head(S3Uri uri) {
    try {
      return call("looking up " + uri, uri, () -> {
        var head = s3.headObject(b -> b.bucket(uri.bucket()).key(uri.key()));
        return new Head(head.contentLength(), java.util.Map.copyOf(head.metadata()));
      });
    } catch (BlobNotFoundException e) {
      return null;
    }
  }

  /** What {@link #head} finds of an object: its length in bytes and its user metadata. */
  public record Head(long size, java.util.Map<String, String> metadata) {}

  /** The object's bytes, checked against its MD5 where its ETag is one ({@link VerifiedRead}). */
  public byte[] get(S3Uri uri) {
    return call("reading " + uri, uri, () -> s3.getObject(
        b -> b.bucket(uri.bucket()).key(uri.key()), VerifiedRead.bytes(uri)));
  }

  /**
   * The object's bytes if it is still the version with ETag {@code etag} (S3's {@code If-Match}); null reads
   * whatever it is now.
   *
   * @throws BlobChangedException if the object has been replaced since it had that ETag
   */
  public byte[] get(S3Uri uri, String etag) {
    if (etag == null) {
      return get(uri);
    }
    return pinned(uri, etag, () -> s3.getObject(b -> b.bucket(uri.bucket()).key(uri.key()).ifMatch(etag),
        VerifiedRead.bytes(uri)));
  }

  /**
   * An object opened for streaming: its bytes, and which version they are. Closing it closes {@code stream}.
   *
   * @param stream the object's bytes, checked as {@link #open} checks them
   * @param etag the ETag of the version being read (as S3 gives it, quotes included), or null if the server gave none
   */
  public record Opened(InputStream stream, String etag) implements java.io.Closeable {
    @Override
    public void close() throws java.io.IOException {
      stream.close();
    }
  }

  /**
   * Opens the object for streaming, the version with ETag {@code etag} (null: the current one), and tells
   * which version it is; the caller closes the stream.
   *
   * @throws BlobChangedException if the object has been replaced since it had that ETag
   */
  public Opened openVersion(S3Uri uri, String etag) {
    return pinned(uri, etag, () -> {
      ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> {
        b.bucket(uri.bucket()).key(uri.key());
        if (etag != null) {
          b.ifMatch(etag);
        }
      });
      return new Opened(VerifiedRead.stream(uri, in.response(), in), in.response().eTag());
    });
  }

  private <T> T pinned(S3Uri uri, String etag, Supplier<T> action) {
    try {
      return call("reading " + uri, uri, action);
    } catch (BlobStoreException e) {
      if (e.getCause() instanceof S3Exception s && s.statusCode() == 412) {
        throw new BlobChangedException(uri, etag, e);
      }
      throw e;
    }
  }

  /** Opens the object for streaming; the caller closes the stream (closing early aborts the transfer). */
  public InputStream open(S3Uri uri) {
    return call("reading " + uri, uri, () -> {
      ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(uri.bucket()).key(uri.key()));
      return VerifiedRead.stream(uri, in.response(), in);
    });
  }

  public void getToFile(S3Uri uri, Path file) {
    call("reading " + uri, uri, () -> s3.getObject(
        b -> b.bucket(uri.bucket()).key(uri.key()), VerifiedRead.file(uri, file)));
  }

  /** The object's size in bytes, or -1 if it does not exist. */
  public long size(S3Uri uri) {
    try {
      return call("looking up " + uri, uri,
          () -> s3.headObject(b -> b.bucket(uri.bucket()).key(uri.key())).contentLength());
    } catch (BlobNotFoundException e) {
      return -1;
    }
  }

  /**
   * A URL that lets anyone holding it GET the object for {@code ttl}, without credentials: how an HTTP
   * client is handed a large output without the API streaming it.
   */
  public java.net.URL presignGet(S3Uri uri, Duration ttl) {
    var builder = S3Presigner.builder()
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    try (S3Presigner presigner = builder.build()) {
      return presigner.presignGetObject(p -> p.signatureDuration(ttl)
          .getObjectRequest(g -> g.bucket(uri.bucket()).key(uri.key()))).url();
    }
  }

  /** An object found by {@link #list}: where it is and when it was last written (epoch ms). */
  public record Listed(S3Uri uri, long lastModified) {}

  /** Every object in {@code bucket} whose key starts with {@code prefix}, in key order. */
  public java.util.List<Listed> list(String bucket, String prefix) {
    return call("listing s3://" + bucket + "/" + prefix, null, () -> {
      java.util.List<Listed> out = new java.util.ArrayList<>();
      for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))) {
        for (var o : page.contents()) {
          out.add(new Listed(new S3Uri(bucket, o.key()), o.lastModified().toEpochMilli()));
        }
      }
      return out;
    });
  }

  public void delete(S3Uri uri) {
    call("deleting " + uri, uri, () -> s3.deleteObject(b -> b.bucket(uri.bucket()).key(uri.key())));
  }

  /** The most keys one DeleteObjects request may name (S3's limit). */
  static final int DELETE_BATCH = 1000;

  /**
   * Deletes {@code keys} in {@code bucket} with as few requests as S3 allows (DeleteObjects, up to
   * {@value #DELETE_BATCH} keys each) rather than one request per object; a key that does not exist counts as
   * deleted, as S3 itself has it. The request carries the checksum S3 requires of it in the SDK's flexible
   * form ({@code x-amz-checksum-crc32}), which some S3-compatible servers refuse (S3Proxy unless told to ignore
   * unknown headers, as the embedded one is): then this throws a BlobStoreException that is not transient, and
   * the caller deletes one object at a time with {@link #delete}.
   *
   * @throws BlobStoreException naming the first key the server could not delete and why, after trying them all
   */
  public void deleteAll(String bucket, java.util.List<String> keys) {
    String failed = null;
    for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
      java.util.List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH))
          .stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      DeleteObjectsResponse response = call("deleting " + batch.size() + " objects in s3://" + bucket, null,
          () -> s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true))));
      for (S3Error e : response.errors()) {
        if (!"NoSuchKey".equals(e.code()) && failed == null) {
          failed = "deleting s3://" + bucket + "/" + e.key() + ": " + e.code() + " " + e.message();
        }
      }
    }
    if (failed != null) {
      throw new BlobStoreException(failed, true, null);
    }
  }

  private <T> T call(String what, S3Uri uri, Supplier<T> action) {
    try {
      return action.get();
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw new BlobNotFoundException(uri, e);
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && uri != null) {
        throw new BlobNotFoundException(uri, e);
      }
      // 501 Not Implemented: the server lacks the feature, which no retry brings.
      boolean retry = (e.statusCode() >= 500 && e.statusCode() != 501) || e.statusCode() == 429
          || e.statusCode() == 408;
      throw new BlobStoreException(what + ": " + e.statusCode() + " " + e.awsErrorDetails().errorMessage(), retry, e);
    } catch (SdkClientException e) {
      throw new BlobStoreException(what + ": " + e.getMessage(), true, e);
    } catch (SdkException e) {
      throw new BlobStoreException(what + ": " + e.getMessage(), e.retryable(), e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }
}
