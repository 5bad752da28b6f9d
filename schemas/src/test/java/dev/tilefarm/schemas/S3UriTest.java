package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonMappingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3UriTest {
  @Test
  void parsesBucketAndKey() {
    S3Uri uri = S3Uri.parse("s3://my-bucket.eu/renders/2026/a b.PNG");
    assertEquals("my-bucket.eu", uri.bucket());
    assertEquals("renders/2026/a b.PNG", uri.key());
    assertEquals("s3://my-bucket.eu/renders/2026/a b.PNG", uri.toString());
    assertEquals(uri, S3Uri.parse(uri.toString()));
  }

  @ParameterizedTest
  @CsvSource({"a/b.PNG,png", "a/b.tar.gz,gz", "a.b/c,''", ".png,png", "x.,''", "x,''", "a/,''"})
  void theExtensionIsTheLowerCaseSuffixOfTheLastSegment(String key, String extension) {
    assertEquals(extension, new S3Uri("bucket", key).extension());
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../a", "a/..", "a/../b", "a/b/../../..", ".", "./a", "a/.", "a/./b"})
  void dotSegmentsAreRefusedSoAKeyCannotClimbOutOfItsPrefix(String key) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://bucket/" + key));
    assertEquals("the object key '" + key + "' has a '" + (key.contains("..") ? ".." : ".") + "' segment", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"...", "a..b", ".hidden", "a/.b", "..a", "a./b"})
  void dotsInsideASegmentAreFine(String key) {
    assertEquals(key, S3Uri.parse("s3://bucket/" + key).key());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "Bucket", "my_bucket", "-bucket", "bucket-", ".bucket", "bucket.", "b\u00fccket",
      "a234567890123456789012345678901234567890123456789012345678901234"})
  void badBucketNamesAreRefused(String bucket) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://" + bucket + "/k"));
    assertEquals("bucket '" + bucket + "' is not a valid S3 bucket name", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "a-b.c", "123", "a23456789012345678901234567890123456789012345678901234567890123"})
  void goodBucketNamesAreAccepted(String bucket) {
    assertEquals(bucket, S3Uri.parse("s3://" + bucket + "/k").bucket());
  }

  @Test
  void aMissingKeyIsRefused() {
    assertEquals("'s3://bucket' has no object key after the bucket",
        assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://bucket")).getMessage());
    assertEquals("the object key is empty",
        assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://bucket/")).getMessage());
    // No bucket at all: refused, though the message speaks of the key (see the report).
    assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3:///key"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bucket//key", "bucket/a//b", "bucket//"})
  void emptySegmentsAreRefused(String rest) {
    assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://" + rest));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\\b", "a\tb", "a\nb", "a\u0000b", "a\u007fb"})
  void controlCharactersAndBackslashesAreRefused(String key) {
    assertEquals("the object key has a control character or backslash",
        assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://bucket/" + key)).getMessage());
  }

  @Test
  void theKeyIsAtMost1024BytesOfUtf8() {
    assertEquals(1024, S3Uri.parse("s3://bucket/" + "k".repeat(1024)).key().length());
    assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://bucket/" + "k".repeat(1025)));
    assertEquals(512, S3Uri.parse("s3://bucket/" + "\u00e9".repeat(512)).key().length());
    assertEquals("the object key is longer than 1024 bytes",
        assertThrows(IllegalArgumentException.class, () -> S3Uri.parse("s3://bucket/" + "\u00e9".repeat(513))).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://bucket/key", "S3://bucket/key", "s3:/bucket/key", "bucket/key", ""})
  void otherSchemesAreRefused(String uri) {
    assertEquals("'" + uri + "' is not an s3://bucket/key URI",
        assertThrows(IllegalArgumentException.class, () -> S3Uri.parse(uri)).getMessage());
  }

  @Test
  void nullIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> S3Uri.parse(null));
  }

  @Test
  void jsonCarriesItAsTheUriString() throws Exception {
    S3Uri uri = S3Uri.parse("s3://bucket/a/b.png");
    assertEquals("\"s3://bucket/a/b.png\"", Json.MAPPER.writeValueAsString(uri));
    assertEquals(uri, Json.MAPPER.readValue("\"s3://bucket/a/b.png\"", S3Uri.class));
    assertThrows(JsonMappingException.class, () -> Json.MAPPER.readValue("\"s3://bucket/../b.png\"", S3Uri.class));
  }
}
