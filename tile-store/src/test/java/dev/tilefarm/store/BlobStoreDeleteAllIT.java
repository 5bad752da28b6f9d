package dev.tilefarm.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tilefarm.embedded.EmbeddedS3;
import dev.tilefarm.schemas.S3Uri;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BlobStore#deleteAll} against the real S3 server: one request deletes what it names, and only that. */
class BlobStoreDeleteAllIT {
  @TempDir static Path dir;
  static EmbeddedS3 s3;
  static BlobStore blobs;

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(dir, 0, "ak", "sk", "batch");
    blobs = BlobStore.connect(new S3Settings(s3.endpoint(), s3.region(), "ak", "sk", true, "batch"));
  }

  @AfterAll
  static void stop() {
    blobs.close();
    s3.close();
  }

  @Test
  void deletesTheNamedObjectsAndTakesAMissingKeyAsDeleted() {
    for (String key : List.of("tiles/j1/0.png", "tiles/j1/1.png", "tiles/j1/sub/2.png", "tiles/j2/0.png")) {
      blobs.put(new S3Uri("batch", key), key.getBytes(StandardCharsets.UTF_8), "image/png");
    }
    blobs.deleteAll("batch", List.of("tiles/j1/0.png", "tiles/j1/1.png", "tiles/j1/sub/2.png", "tiles/j1/gone.png"));
    assertEquals(List.of(new S3Uri("batch", "tiles/j2/0.png")), objects("tiles/"));
  }

  @Test
  void nothingToDeleteSendsNothing() {
    blobs.deleteAll("batch", List.of());
    blobs.put(new S3Uri("batch", "kept/a"), new byte[] {1}, "application/octet-stream");
    assertEquals(List.of(new S3Uri("batch", "kept/a")), objects("kept/"));
  }

  /** The objects listed under {@code prefix}, without the folder markers a file-system backed server lists. */
  private static List<S3Uri> objects(String prefix) {
    return blobs.list("batch", prefix).stream().map(BlobStore.Listed::uri).filter(u -> !u.key().endsWith("/"))
        .toList();
  }
}
