package dev.tilefarm.store;

import dev.tilefarm.schemas.S3Uri;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import software.amazon.awssdk.core.exception.RetryableException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Reads of an object whose bytes are checked against the MD5 its ETag gives, so that bytes changed on the way
 * (a proxy, a bad NIC, a broken disk cache) are never taken for the object.
 *
 * <p>An object written in one PUT has its content's MD5 as ETag (32 hex digits); a multipart object's ETag
 * ({@code "md5-N"}) and an encrypted object's are no digest of the bytes, and those reads go unchecked. The AWS
 * SDK does not check, since the farm turns its flexible checksums off for S3-compatible servers. A read whose
 * bytes do not match fails with {@link RetryableException}, which the SDK retries like a dropped connection and
 * then reports as a transient {@link BlobStoreException}; a stream fails at its end with an {@link IOException}.
 */
final class VerifiedRead {
  private VerifiedRead() {}

  /** The whole object as bytes, checked. */
  static ResponseTransformer<GetObjectResponse, byte[]> bytes(S3Uri uri) {
    return (response, in) -> {
      byte[] bytes = readFully(uri, in);
      String expected = md5Of(response);
      if (expected != null) {
        check(uri, expected, digest().digest(bytes), bytes.length);
      }
      return bytes;
    };
  }

  /** The whole object into {@code file}, checked; on a mismatch the file is deleted. */
  static ResponseTransformer<GetObjectResponse, GetObjectResponse> file(S3Uri uri, Path file) {
    return (response, in) -> {
      String expected = md5Of(response);
      MessageDigest md5 = digest();
      long n;
      try (InputStream digesting = new java.security.DigestInputStream(in, md5)) {
        n = Files.copy(digesting, file, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        Files.deleteIfExists(file);
        throw cutShort(uri, e);
      }
      if (expected != null) {
        try {
          check(uri, expected, md5.digest(), n);
        } catch (RetryableException e) {
          Files.deleteIfExists(file);
          throw e;
        }
      }
      return response;
    };
  }

  /** {@code in} (the object's body as the SDK streams it), failing at its end if its bytes are not the object's. */
  static InputStream stream(S3Uri uri, GetObjectResponse response, InputStream in) {
    String expected = md5Of(response);
    if (expected == null) {
      return in;
    }
    MessageDigest md5 = digest();
    return new FilterInputStream(in) {
      private long n;
      private boolean checked;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          md5.update((byte) b);
          n++;
        } else {
          atEnd();
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int r = super.read(buf, off, len);
        if (r > 0) {
          md5.update(buf, off, r);
          n += r;
        } else if (r < 0) {
          atEnd();
        }
        return r;
      }

      @Override
      public long skip(long count) throws IOException {
        // Skipped bytes must be digested too.
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < count) {
          int r = read(buf, 0, (int) Math.min(buf.length, count - skipped));
          if (r < 0) {
            break;
          }
          skipped += r;
        }
        return skipped;
      }

      @Override
      public boolean markSupported() {
        return false;
      }

      private void atEnd() throws IOException {
        if (!checked) {
          checked = true;
          try {
            check(uri, expected, md5.digest(), n);
          } catch (RetryableException e) {
            throw new IOException(e.getMessage(), e);
          }
        }
      }
    };
  }

  /**
   * The body's bytes; a body cut short (the connection closed before its length) is retried as the SDK retries a
   * dropped connection, rather than failed at once.
   */
  private static byte[] readFully(S3Uri uri, InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw cutShort(uri, e);
    }
  }

  private static RetryableException cutShort(S3Uri uri, IOException e) {
    return RetryableException.builder().message("reading " + uri + ": the body was cut short: " + e.getMessage())
        .cause(e).build();
  }

  /** The MD5 (lower-case hex) the response's ETag gives, or null if the ETag is no MD5 of the bytes. */
  static String md5Of(GetObjectResponse response) {
    if (response.contentRange() != null || response.serverSideEncryption() != null
        && !"AES256".equals(response.serverSideEncryptionAsString())
        || response.sseCustomerAlgorithm() != null) {
      return null;
    }
    String etag = response.eTag();
    if (etag == null) {
      return null;
    }
    etag = etag.strip();
    if (etag.startsWith("W/")) {
      return null;
    }
    if (etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      etag = etag.substring(1, etag.length() - 1);
    }
    return etag.matches("[0-9a-fA-F]{32}") ? etag.toLowerCase(Locale.ROOT) : null;
  }

  private static void check(S3Uri uri, String expected, byte[] md5, long length) {
    String actual = HexFormat.of().formatHex(md5);
    if (!actual.equals(expected)) {
      throw RetryableException.create("reading " + uri + ": the " + length + " bytes received have MD5 " + actual
          + ", not the object's " + expected + " (its ETag): changed on the way");
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    }
  }
}
